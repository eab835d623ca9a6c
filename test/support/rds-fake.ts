/**
 * A stateful, in-memory model of the Amazon RDS control plane for one AWS account across regions.
 *
 * Tests and benchmarks drive it through real `RDSClient`s (see {@link RdsFake.install}) or, from
 * local Step Functions runs, through {@link RdsFake.handle}. It models what the DR system depends on:
 * status transitions that take (virtual) time, pagination, tags, typed errors with the exact names
 * and wire codes of the API reference, quotas, throttling and injected faults.
 *
 * Time never passes on its own: the injected clock is advanced by the test, and every scheduled
 * transition whose time has come is applied lazily at the start of the next call or inspection.
 *
 * Fidelity notes (deliberate simplifications, each chosen because the DR code does not depend on it):
 * - identifiers are stored lowercase, as RDS does; one account; no sharing, no public snapshots;
 * - the backup window does not make an instance `backing-up` (only snapshots and promotions do);
 * - members of a Multi-AZ DB cluster are modelled as DB instances carrying `DBClusterIdentifier`.
 */
import { RdsOther } from './rds/other.ts';

/** The clock is the base's (every fake reads it); re-exported where the tests import it from. */
export { VirtualClock, type FakeClock } from './aws-fake.ts';
export {
  CROSS_REGION_COPIES_IN_PROGRESS_MAX,
  RDS_DEFAULT_RATE_LIMIT,
  rdsFault,
  rdsCommonError,
  throttlingError,
  RDS_FAKE_OPERATIONS,
  type RdsFakeDurations,
  type RdsQuotaName,
  type RdsFakeOptions,
  type RdsCall,
  type ErrorOrFactory,
  type RestoreOrigin,
  type SeedInstance,
  type SeedClusterMember,
  type SeedCluster,
  type SeedSnapshot,
  type SeedClusterSnapshot,
  type RdsFaultCode,
  type RdsCommonErrorCode,
} from './rds/model.ts';

/**
 * Stateful in-memory RDS control plane. One instance models one AWS account; state is kept per region.
 * The implementation is one layer per resource under test/support/rds/ (core, instances, clusters,
 * snapshots, other), each handling its operations and passing the rest down; this facade is the API.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const rds = new RdsFake({ clock });
 * const mock = rds.install();               // every RDSClient now talks to the fake
 * rds.addInstance({ id: 'swifteats', region: 'eu-west-1' });
 * await new RDSClient({ region: 'eu-west-1' }).send(new CreateDBSnapshotCommand({ ... }));
 * clock.advance(rds.durations.snapshotCreateMs);
 * mock.restore();
 * ```
 */
export class RdsFake extends RdsOther {}

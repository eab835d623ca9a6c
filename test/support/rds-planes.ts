import { RDSClient } from '@aws-sdk/client-rds';
import { controlPlaneFor } from '../../functions/adapters/rds/control-plane.ts';
import { restoresFor } from '../../functions/adapters/rds/restore.ts';
import type { DatabaseControlPlane } from '../../functions/ports/database-control-plane.ts';
import type { RestoreControlPlane } from '../../functions/ports/restore-control-plane.ts';

/** The sample deployment's regions. */
export const WEST = 'eu-west-1';
export const CENTRAL = 'eu-central-1';

/**
 * An RDS client for tests against the RDS fake: no SDK retries, because they would sleep
 * in real time; the code under test (or the state machine) does the retrying.
 */
export function fakeRdsClient(region: string): RDSClient {
  return new RDSClient({ region, maxAttempts: 1 });
}

/** The real RDS adapters of the instance topology, primary and DR region, over the fake. */
export function instancePlanes(): { primary: DatabaseControlPlane; dr: DatabaseControlPlane; restores: RestoreControlPlane } {
  return {
    primary: controlPlaneFor('multi-az-instance', fakeRdsClient(WEST), WEST),
    dr: controlPlaneFor('multi-az-instance', fakeRdsClient(CENTRAL), CENTRAL),
    restores: restoresFor('multi-az-instance', fakeRdsClient(WEST), '18.3'),
  };
}

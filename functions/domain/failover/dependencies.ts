/**
 * What the failover use cases run with: the deployment's settings and the ports they act through
 * (the handlers' composition root builds both).
 */
import type { ArchiveStore } from '../../ports/archive-store.ts';
import type { DatabaseControlPlane, Topology } from '../../ports/database-control-plane.ts';
import type { ConnectionSecret, WriterDns } from '../../ports/endpoint-switch.ts';
import type { FailoverLock } from '../../ports/failover-lock.ts';
import type { Fence } from '../../ports/fence.ts';
import type { Notifier } from '../../ports/notifier.ts';
import type { ReplicationHistory } from '../../ports/replication-history.ts';

/** The deployment's failover settings (from the function's environment). */
export interface FailoverSettings {
  readonly database: string;
  readonly topology: Topology;
  /** The cross-region read replica promoted in region mode, or null. */
  readonly replicaId: string | null;
  /** How long a held lock lasts if its execution dies without releasing it (the state machine's timeout). */
  readonly leaseSeconds: number;
  /** `failover.cooldownMinutes` in seconds. */
  readonly cooldownSeconds: number;
  /** `failover.maxLagOnFailoverSeconds`. */
  readonly maxLagSeconds: number;
  /** TTL of the writer record. */
  readonly recordTtlSeconds: number;
}

/** What the use cases act through. */
export interface FailoverPorts {
  readonly lock: FailoverLock;
  /** The control plane of the protected database's region. */
  readonly primary: DatabaseControlPlane;
  /** The DR region's, where the cross-region replica lives; null without a DR region. */
  readonly dr: DatabaseControlPlane | null;
  /** The old writer's fence; null when no region failover is possible. */
  readonly fence: Fence | null;
  readonly dns: WriterDns;
  readonly secret: ConnectionSecret;
  readonly notifier: Notifier;
  readonly archive: ArchiveStore;
  /** The writer probe's lag history; null when there is no cross-region replica. */
  readonly history: ReplicationHistory | null;
  readonly now: () => Date;
}

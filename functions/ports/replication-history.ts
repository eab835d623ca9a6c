/**
 * Port: the cross-region replica's replication lag as the writer probe measured it, minute by minute
 * (CloudWatch in production: the probe publishes WriterHealthy and ReplicaHeartbeatAgeSeconds every
 * minute). A region failover is gated on the lag measured while the writer still took writes: once
 * the writer is down, the replica's heartbeat age grows with the writer's silence and no longer
 * says how far behind replication was.
 *
 * Implementations throw ThrottledError when throttled (safe to retry).
 */

/** The lag of one minute. */
export interface LagSample {
  /** Start of the minute. */
  readonly at: Date;
  /** The replica's heartbeat age that minute, awaited after the writer's write (the probe's monitor mode): its lag. */
  readonly lagSeconds: number;
}

/** The probe's lag history. */
export interface ReplicationHistory {
  /**
   * The lag of the newest minute in [since, until] in which every probe of the writer succeeded
   * (WriterHealthy minimum 1) and the replica's heartbeat age was measured; null when there is none.
   */
  lastHealthyLag(since: Date, until: Date): Promise<LagSample | null>;
}

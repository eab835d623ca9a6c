/**
 * What a failover is measured by: its timeline (the RTO actually achieved, split into the phases an
 * operator can act on) and its data loss (the RPO actually achieved, from heartbeats). Pure.
 */
import type { FailoverMode } from './model.ts';

/** The instants a run passed through (ISO), null for the phases it did not reach or skip. */
export interface TimelinePoints {
  /** The failure was detected (alarm transition, RDS event, operator). */
  readonly detectedAt: string;
  /** The execution started. */
  readonly startedAt: string;
  /** Lock taken, writer re-probed, pre-checks done. */
  readonly confirmedAt: string | null;
  /** The fence closed (region mode) and RDS accepted the action; null when nothing was done (observe). */
  readonly actedAt: string | null;
  /** The new writer passed its post-check (connect and write a heartbeat). */
  readonly postCheckedAt: string | null;
  /** The endpoint switched (DNS change in sync, secret written) and the new writer passed again through it. */
  readonly switchedAt: string | null;
}

/** Phase durations in seconds (millisecond resolution); null when the run did not get through the phase. */
export interface Timeline {
  /** Detection to the execution's start: EventBridge and Step Functions. */
  readonly triggerSeconds: number;
  /** Start to pre-checks done: lock, confirmation probe, pre-checks. */
  readonly confirmationSeconds: number | null;
  /** Pre-checks to RDS accepting the action (the fence included). */
  readonly actionSeconds: number | null;
  /** Action (or pre-checks, when observing) to the new writer's passed post-check: RDS's failover and our polling. */
  readonly waitSeconds: number | null;
  /** Post-check to the endpoint switched and verified. */
  readonly switchSeconds: number | null;
  /** Detection to the post-check: the metric FailoverDurationSeconds. */
  readonly detectionToPostCheckSeconds: number | null;
  /** Detection to traffic on the new writer through the switched endpoint. */
  readonly totalSeconds: number | null;
}

function seconds(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  return Math.round(Date.parse(to) - Date.parse(from)) / 1000;
}

/** Splits a run's instants into its phases. */
export function failoverTimeline(points: TimelinePoints): Timeline {
  const waitFrom = points.actedAt ?? points.confirmedAt;
  return {
    triggerSeconds: seconds(points.detectedAt, points.startedAt) ?? 0,
    confirmationSeconds: seconds(points.startedAt, points.confirmedAt),
    actionSeconds: seconds(points.confirmedAt, points.actedAt),
    waitSeconds: seconds(waitFrom, points.postCheckedAt),
    switchSeconds: seconds(points.postCheckedAt, points.switchedAt),
    detectionToPostCheckSeconds: seconds(points.detectedAt, points.postCheckedAt),
    totalSeconds: seconds(points.detectedAt, points.switchedAt),
  };
}

/** Data lost by a failover, as far as heartbeats can tell. */
export interface DataLoss {
  /** Seconds of writes lost at most, or null when not measurable for this kind of failover. */
  readonly seconds: number | null;
  /** How the number was obtained, or why there is none. */
  readonly basis: string;
}

/**
 * Data loss from heartbeats.
 *
 * Region: the replica holds every write up to its newest heartbeat `N` (read by the confirmation
 * probe); the old writer could commit until it was cut off, by the fence or, without one, by the
 * promotion that ended replication (`cutoffAt`). So at most `cutoffAt - N` seconds of writes are
 * lost: an upper bound at the heartbeat's resolution (the probe writes one a minute, the confirmation
 * probe one more), and the honest one, since nothing proves what a silent writer committed last.
 *
 * AZ and observe: the Multi-AZ standby is synchronous (semi-synchronous for a cluster) and no
 * heartbeat comparison is made: the post-check writes on the new writer without reading what it held
 * before. Reported as not measured rather than as a 0 copied from the design.
 */
export function dataLoss(mode: FailoverMode, replicaNewestHeartbeatAt: string | null, cutoffAt: string | null, cutBy: 'fence' | 'promotion'): DataLoss {
  if (mode !== 'region') {
    return { seconds: null, basis: 'not measured: synchronous Multi-AZ standby; the post-check does not compare heartbeats across the failover' };
  }
  if (replicaNewestHeartbeatAt === null) return { seconds: null, basis: 'not measured: no heartbeat was read from the replica before the promotion' };
  if (cutoffAt === null) return { seconds: null, basis: 'not measured: the old writer was not cut off (no promotion)' };
  const lost = Math.max(0, Date.parse(cutoffAt) - Date.parse(replicaNewestHeartbeatAt)) / 1000;
  return {
    seconds: lost,
    basis: `upper bound: the replica's newest heartbeat was ${replicaNewestHeartbeatAt}; the old writer was cut off by the ${cutBy} at ${cutoffAt}`,
  };
}

/**
 * What starts a failover: the writer alarm and the RDS failover events on EventBridge, and a manual
 * start. The facts only (names, event ids, what a start may carry); reading an input into a
 * {@link FailoverRequest} is at the edge, `functions/contracts/events/failover-start.ts`. Infra
 * builds its EventBridge rules from the same names and event ids.
 */
import type { Topology } from '../../ports/database-control-plane.ts';
import { MAX_REASON_LENGTH } from './model.ts';

/** Name of the CloudWatch alarm whose ALARM state starts an automatic failover. */
export function writerDownAlarmName(database: string): string {
  return `${database}-WriterDown`;
}

/** `detail-type` of a CloudWatch alarm state change on EventBridge. */
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** `detail-type` of the RDS events of each topology's source type on EventBridge. */
export const RDS_EVENT_DETAIL_TYPE: Readonly<Record<Topology, string>> = {
  'multi-az-instance': 'RDS DB Instance Event',
  'multi-az-cluster': 'RDS DB Cluster Event',
};

/**
 * RDS events (category `failover`) that start the workflow in observe mode, so failovers RDS makes
 * on its own are measured too. RDS User Guide, "Amazon RDS event categories and event messages":
 * DB instance: RDS-EVENT-0013 "Multi-AZ instance failover started", RDS-EVENT-0015 "Multi-AZ
 * failover to standby complete - DNS propagation may take a few minutes", RDS-EVENT-0049 "Multi-AZ
 * instance failover completed"; DB cluster: RDS-EVENT-0072 / RDS-EVENT-0073 "Started same-AZ /
 * cross-AZ failover to DB instance", RDS-EVENT-0071 "Completed failover to DB instance". The
 * started events come first and give the better start of the measurement; the completed ones
 * cover a missed start. Duplicates (several events for one failover, EventBridge's at-least-once
 * delivery) meet the lock and end quietly.
 */
export const RDS_FAILOVER_EVENT_IDS: Readonly<Record<Topology, readonly string[]>> = {
  'multi-az-instance': ['RDS-EVENT-0013', 'RDS-EVENT-0015', 'RDS-EVENT-0049'],
  'multi-az-cluster': ['RDS-EVENT-0072', 'RDS-EVENT-0073', 'RDS-EVENT-0071'],
};

/** What validation needs to know about the deployment. */
export interface RequestContext {
  readonly database: string;
  readonly topology: Topology;
  /** Region of the protected database (RDS events name it in their ARN). */
  readonly region: string;
  /** Whether a cross-region read replica is configured (region mode needs one). */
  readonly hasReplica: boolean;
  /** The execution's start. */
  readonly startedAt: Date;
}

/** The fields a manual start takes (a misspelt one is refused, not ignored). */
export const MANUAL_FIELDS = ['mode', 'reason', 'dryRun', 'force', 'detectedAt'] as const;

/** A reason on one line, at most {@link MAX_REASON_LENGTH} characters (an ellipsis marks a cut). */
export function clipReason(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_REASON_LENGTH ? flat : `${flat.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

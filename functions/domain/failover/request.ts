/**
 * What starts a failover and the request it becomes: the writer alarm and the RDS failover events
 * on EventBridge, a manual start, and their validation into one {@link FailoverRequest}. Pure; infra
 * builds its EventBridge rules from the same names and event ids.
 */
import type { Topology } from '../../ports/database-control-plane.ts';
import { ValidationError } from '../../shared/errors.ts';
import { EventReader } from '../../shared/validate.ts';
import { FAILOVER_MODES, MAX_REASON_LENGTH, type FailoverRequest } from './model.ts';

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

const MANUAL_FIELDS = ['mode', 'reason', 'dryRun', 'force', 'detectedAt'] as const;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_REASON_LENGTH ? flat : `${flat.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** CloudWatch writes `2026-11-29T02:01:00.123+0000`; ISO 8601 wants `+00:00`. */
function parseCloudWatchTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(iso)) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Validates a state machine input and turns it into a {@link FailoverRequest}. Accepts:
 * - a manual start: `{ mode, reason, dryRun?, force?, detectedAt? }`; an unknown field is refused,
 *   because a misspelt `dryRun` would otherwise run a real failover;
 * - the EventBridge event of the writer alarm entering ALARM (mode `az`);
 * - an EventBridge RDS failover event of the protected database (mode `observe`).
 *
 * @throws ValidationError listing every problem, each naming its field
 */
export function parseFailoverInput(input: unknown, context: RequestContext): FailoverRequest {
  const root = object(input);
  if (root !== null && root['source'] !== undefined) return parseEvent(root, context);
  const reader = new EventReader(input);
  const problems = reader.problems;
  for (const key of Object.keys(root ?? {})) {
    if (!(MANUAL_FIELDS as readonly string[]).includes(key)) problems.push(`${key}: unknown field; a manual start takes ${MANUAL_FIELDS.join(', ')}`);
  }
  const mode = reader.oneOf('mode', FAILOVER_MODES);
  const reason = reader.string('reason');
  if (reason.trim() === '' && reason !== '') problems.push('reason: must not be blank');
  const dryRun = reader.boolean('dryRun', false);
  const force = reader.boolean('force', false);
  const detectedAt = reader.has('detectedAt') ? reader.instant('detectedAt') : context.startedAt;
  if (detectedAt.getTime() > context.startedAt.getTime()) problems.push(`detectedAt: ${detectedAt.toISOString()} is after the start of this execution (${context.startedAt.toISOString()})`);
  if (mode === 'region' && !context.hasReplica) problems.push('mode: "region" needs a cross-region read replica, and none is configured (dr.readReplica)');
  if (mode === 'observe' && force) problems.push('force: only for modes az and region; observe never acts');
  reader.done();
  return {
    mode,
    reason: clip(reason),
    dryRun,
    force,
    detectedAt: detectedAt.toISOString(),
    startedAt: context.startedAt.toISOString(),
    trigger: { source: 'manual', id: null },
  };
}

function parseEvent(event: Record<string, unknown>, context: RequestContext): FailoverRequest {
  const source = event['source'];
  const detailType = event['detail-type'];
  const detail = object(event['detail']);
  const problems: string[] = [];
  const alarmName = writerDownAlarmName(context.database);
  if (source === 'aws.cloudwatch') {
    if (detailType !== ALARM_DETAIL_TYPE) problems.push(`detail-type: ${JSON.stringify(detailType)} is not ${JSON.stringify(ALARM_DETAIL_TYPE)}`);
    if (detail === null) throw new ValidationError([...problems, 'detail: required, an object']);
    if (detail['alarmName'] !== alarmName) problems.push(`detail.alarmName: ${JSON.stringify(detail['alarmName'])} is not the writer alarm ${JSON.stringify(alarmName)}`);
    const state = object(detail['state']);
    if (state?.['value'] !== 'ALARM') problems.push(`detail.state.value: ${JSON.stringify(state?.['value'])} is not "ALARM"; only the alarm entering ALARM starts a failover`);
    const at = parseCloudWatchTime(state?.['timestamp']);
    if (at === null) problems.push(`detail.state.timestamp: ${JSON.stringify(state?.['timestamp'])} is not a time with a zone`);
    if (problems.length > 0) throw new ValidationError(problems);
    const why = typeof state?.['reason'] === 'string' ? `: ${state['reason']}` : '';
    return {
      mode: 'az',
      reason: clip(`CloudWatch alarm ${alarmName} entered ALARM${why}`),
      dryRun: false,
      force: false,
      detectedAt: (at as Date).toISOString(),
      startedAt: context.startedAt.toISOString(),
      trigger: { source: 'alarm', id: alarmName },
    };
  }
  if (source === 'aws.rds') {
    const expectedType = RDS_EVENT_DETAIL_TYPE[context.topology];
    if (detailType !== expectedType) problems.push(`detail-type: ${JSON.stringify(detailType)} is not ${JSON.stringify(expectedType)} (topology ${context.topology})`);
    if (detail === null) throw new ValidationError([...problems, 'detail: required, an object']);
    const ids = RDS_FAILOVER_EVENT_IDS[context.topology];
    const eventId = detail['EventID'];
    if (typeof eventId !== 'string' || !ids.includes(eventId)) problems.push(`detail.EventID: ${JSON.stringify(eventId)} is not one of ${ids.join(', ')}`);
    const kind = context.topology === 'multi-az-cluster' ? 'cluster' : 'db';
    const arn = detail['SourceArn'];
    const parsed = typeof arn === 'string' ? /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:(db|cluster):([a-z0-9-]+)$/.exec(arn) : null;
    if (parsed === null || parsed[1] !== context.region || parsed[2] !== kind || parsed[3] !== context.database) {
      problems.push(`detail.SourceArn: ${JSON.stringify(arn)} is not the ${kind} ${context.database} in ${context.region}`);
    }
    const date = typeof detail['Date'] === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(detail['Date']) ? new Date(detail['Date']) : null;
    if (date === null || Number.isNaN(date.getTime())) problems.push(`detail.Date: ${JSON.stringify(detail['Date'])} is not an ISO-8601 time with a zone`);
    if (problems.length > 0) throw new ValidationError(problems);
    const message = typeof detail['Message'] === 'string' ? `: ${detail['Message']}` : '';
    return {
      mode: 'observe',
      reason: clip(`RDS ${String(eventId)}${message}`),
      dryRun: false,
      force: false,
      detectedAt: (date as Date).toISOString(),
      startedAt: context.startedAt.toISOString(),
      trigger: { source: 'rds-event', id: String(eventId) },
    };
  }
  throw new ValidationError([`source: ${JSON.stringify(source)} is not one of aws.cloudwatch, aws.rds (a manual start has no source field)`]);
}

/**
 * What a failover execution starts with, read into one {@link FailoverRequest}: a manual start
 * (`{ mode, reason, dryRun?, force?, detectedAt? }`, checked by its schema; an unknown field is refused,
 * because a misspelt `dryRun` would otherwise run a real failover), the EventBridge event of the writer
 * alarm entering ALARM (mode `az`), or an EventBridge RDS failover event of the protected database
 * (mode `observe`). The facts these are judged against (alarm name, event ids, the deployment) are the
 * domain's, `functions/domain/failover/request.ts`.
 */
import { check, optional, pipe, safeParse } from 'valibot';
import { FAILOVER_MODES, type FailoverRequest } from '../../domain/failover/model.ts';
import {
  ALARM_DETAIL_TYPE,
  clipReason,
  MANUAL_FIELDS,
  RDS_EVENT_DETAIL_TYPE,
  RDS_FAILOVER_EVENT_IDS,
  writerDownAlarmName,
  type RequestContext,
} from '../../domain/failover/request.ts';
import { ValidationError } from '../../shared/errors.ts';
import { closed, fieldsOf, flag, instantWithZone, oneOf, parseWith, problemsOf, text } from '../schema.ts';
import { EVENT } from './read.ts';

/** A manual start: unknown fields first, then each field in order, as an operator reads them. */
const MANUAL_START = closed(
  fieldsOf({
    mode: oneOf(FAILOVER_MODES),
    // Blank is not empty: an empty reason is reported once, as not a non-empty string.
    reason: pipe(text(), check((value: string) => value === '' || value.trim() !== '', () => 'must not be blank')),
    dryRun: flag(false),
    force: flag(false),
    detectedAt: optional(instantWithZone()),
  }),
  MANUAL_FIELDS,
  `unknown field; a manual start takes ${MANUAL_FIELDS.join(', ')}`,
);

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
  const problems = [...problemsOf(MANUAL_START, input, EVENT), ...startRules(root ?? {}, context)];
  if (problems.length > 0) throw new ValidationError(problems);
  const start = parseWith(MANUAL_START, input, EVENT);
  return {
    mode: start.mode,
    reason: clipReason(start.reason),
    dryRun: start.dryRun,
    force: start.force,
    detectedAt: (start.detectedAt ?? context.startedAt).toISOString(),
    startedAt: context.startedAt.toISOString(),
    trigger: { source: 'manual', id: null },
  };
}

/**
 * The rules a manual start must meet beyond its shape, judged on the fields that are themselves
 * valid (a bad field is reported by the schema, not again here).
 */
function startRules(start: Record<string, unknown>, context: RequestContext): string[] {
  const problems: string[] = [];
  const detectedAt = safeParse(instantWithZone(), start['detectedAt']);
  if (detectedAt.success && detectedAt.output.getTime() > context.startedAt.getTime()) {
    problems.push(`detectedAt: ${detectedAt.output.toISOString()} is after the start of this execution (${context.startedAt.toISOString()})`);
  }
  if (start['mode'] === 'region' && !context.hasReplica) problems.push('mode: "region" needs a cross-region read replica, and none is configured (dr.readReplica)');
  if (start['mode'] === 'observe' && start['force'] === true) problems.push('force: only for modes az and region; observe never acts');
  return problems;
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
      reason: clipReason(`CloudWatch alarm ${alarmName} entered ALARM${why}`),
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
      reason: clipReason(`RDS ${String(eventId)}${message}`),
      dryRun: false,
      force: false,
      detectedAt: (date as Date).toISOString(),
      startedAt: context.startedAt.toISOString(),
      trigger: { source: 'rds-event', id: String(eventId) },
    };
  }
  throw new ValidationError([`source: ${JSON.stringify(source)} is not one of aws.cloudwatch, aws.rds (a manual start has no source field)`]);
}

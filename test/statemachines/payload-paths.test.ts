/**
 * What one step hands the next: every `$.<step>.Payload.<field>` a state machine reads names a field
 * of what that step returns. The table below maps each step (its ResultPath) to the fields of its
 * producer's output; `satisfies` makes the compiler check that every listed field is one (so the table
 * cannot name a field the handler does not return), and the test checks every path read is listed.
 * The payloads read whole (`$.precheck.Payload`, a probe's report) are parsed by their schemas
 * (functions/contracts/payloads.ts); their fields are checked against the producer here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRECHECK_RESULT, PROBE_REPORT_ENTRIES } from '../../functions/contracts/payloads.ts';
import type { ArchivedManifest } from '../../functions/domain/verification/manifest-archive.ts';
import type { FailoverOutput } from '../../functions/handlers/failover/index.ts';
import type { ProbeOutput } from '../../functions/handlers/probe/index.ts';
import type { RestoreOutput } from '../../functions/handlers/restore/index.ts';
import type { SnapshotOutput } from '../../functions/handlers/snapshot/index.ts';
import type { VerifyResult } from '../../functions/handlers/verify.ts';

/** The keys of every member of a union (a step's output may be one of several shapes). */
type KeysOf<T> = T extends unknown ? keyof T : never;
/** Field names of `T`, checked by the compiler. */
const fieldsOf = <T,>() => <const K extends readonly KeysOf<T>[]>(keys: K): readonly string[] => keys as readonly string[];

const ROOT = new URL('../../', import.meta.url);

/** Per state machine, per ResultPath: the fields its producing step returns that later steps read. */
const PRODUCED: Record<string, Record<string, readonly string[]>> = {
  'backup.asl.json': {
    plan: fieldsOf<SnapshotOutput<'plan'>>()(['snapshotId', 'scheduledAt', 'tier', 'copyOffsite']),
    manifest: fieldsOf<ArchivedManifest>()(['stored', 'warnings']),
    poll: fieldsOf<SnapshotOutput<'check'>>()(['attempt', 'ready', 'createdAt']),
    copyPoll: fieldsOf<SnapshotOutput<'check'>>()(['attempt', 'ready']),
  },
  'verify.asl.json': {
    selected: fieldsOf<RestoreOutput<'select'>>()(['found', 'snapshotId', 'createdAt', 'databaseTime']),
    restore: fieldsOf<RestoreOutput<'restore'>>()(['identifier']),
    poll: fieldsOf<RestoreOutput<'check'>>()(['attempt', 'ready', 'elapsedSeconds', 'endpoint', 'port', 'secretArn']),
    verification: fieldsOf<VerifyResult>()(['passed', 'inconclusive', 'dataAgeSeconds', 'report']),
  },
  'pitr-restore.asl.json': {
    restore: fieldsOf<RestoreOutput<'pitr'>>()(['identifier', 'resolvedTargetTime']),
    poll: fieldsOf<RestoreOutput<'check'>>()(['attempt', 'ready', 'elapsedSeconds', 'endpoint', 'port', 'secretArn']),
    verification: fieldsOf<VerifyResult>()(['passed', 'failedChecks', 'recoveredPointInTime', 'report']),
  },
  'failover.asl.json': {
    precheck: fieldsOf<FailoverOutput<'precheck'>>()(['verdict', 'pollSeconds', 'probeTarget']),
    wait: fieldsOf<FailoverOutput<'check'>>()(['attempt', 'ready']),
    postCheckAssess: fieldsOf<FailoverOutput<'assess'>>()(['attempt', 'passed']),
    verifyAssess: fieldsOf<FailoverOutput<'assess'>>()(['attempt', 'passed']),
    switch: fieldsOf<FailoverOutput<'switch'>>()(['changeId']),
    switchStatus: fieldsOf<FailoverOutput<'switch-status'>>()(['attempt', 'insync']),
    record: fieldsOf<FailoverOutput<'record'>>()(['notification']),
  },
};

/** Every `$.<step>.Payload.<field>` read anywhere in a state machine definition. */
function payloadReads(definition: string): { step: string; field: string }[] {
  return [...definition.matchAll(/\$\.([A-Za-z]+)\.Payload\.([A-Za-z]+)/g)].map(([, step, field]) => ({ step: step as string, field: field as string }));
}

describe('what one step of a workflow hands the next', () => {
  const files = readdirSync(new URL('statemachines/', ROOT)).filter((f) => f.endsWith('.asl.json'));

  it('covers every state machine', () => {
    expect(files.sort()).toEqual(Object.keys(PRODUCED).sort());
  });

  it.each(files)('%s reads only fields its steps return', (file) => {
    const reads = payloadReads(readFileSync(new URL(`statemachines/${file}`, ROOT), 'utf8'));
    expect(reads.length).toBeGreaterThan(0);
    const unknown = reads.filter(({ step, field }) => !(PRODUCED[file]?.[step] ?? []).includes(field)).map(({ step, field }) => `$.${step}.Payload.${field}`);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('the payloads read whole are parsed by schemas that name only fields their producers return', () => {
    const precheck = fieldsOf<FailoverOutput<'precheck'>>();
    const probe = fieldsOf<ProbeOutput>();
    // The schemas' fields, checked at compile time against the producers' outputs…
    const precheckFields = precheck(['verdict', 'checks', 'targetId', 'targetRegion', 'writerBefore', 'alreadyPromoted', 'expect', 'pollSeconds', 'maxPolls', 'probeTarget', 'recordBefore', 'secretHostBefore', 'secretPortBefore', 'targetHost', 'targetPort', 'replicaNewestHeartbeatAt', 'primaryUnreachable', 'at']);
    const probeFields = probe(['healthy', 'phase', 'error', 'heartbeatAt', 'latencyMs', 'replica']);
    // …and at run time against the schemas themselves.
    const entries = (PRECHECK_RESULT as unknown as { pipe: { entries?: Record<string, unknown> }[] }).pipe.find((item) => item.entries !== undefined)?.entries ?? {};
    expect(Object.keys(entries)).toEqual(precheckFields);
    expect(Object.keys(PROBE_REPORT_ENTRIES)).toEqual(probeFields);
  });
});

/**
 * The invariants of the fault layer, each written from the docs and individually addressable by
 * its id. `npm test` checks every invariant not in {@link KNOWN_OPEN}; `npm run faults -- --only
 * <id>[,<id>]` or `--all` checks others.
 */
import type { DBSnapshot } from '@aws-sdk/client-rds';
import { keepReasons } from './oracle.ts';
import type { FaultExecution } from './runner.ts';
import type { FaultWorld } from './world.ts';

/** Every invariant, with the doc sentence it is written from. */
export const INVARIANTS = {
  'never-delete-unmanaged': 'docs/backups.md rule 1: only snapshots tagged dr:managed=true are candidates; never one without it',
  'never-delete-legal-hold': 'docs/backups.md rule 1: dr:legal-hold is kept (IAM also denies deleting it)',
  'retention-candidates-only': 'docs/backups.md rule 1: not available, another policy, unreadable tags: kept',
  'retention-newest-verified': 'docs/backups.md rule 2: the newest verified snapshot and everything newer are kept (age = time of the data, issue 10 item 5)',
  'retention-verified-fresh': 'docs/backups.md rule 3: no snapshot verified within 72 h: nothing is deleted',
  'retention-minimum-count': 'docs/backups.md rule 5: never fewer than retention.minimumCount',
  'retention-tier-slot': 'docs/backups.md: GFS counts per tier, tiers nest, a failed snapshot holds no slot',
  'temporary-expiry': 'docs/restore.md: the sweeper deletes dr:temporary databases past dr:expires-at (none alive past expiry plus one sweep)',
  'sweeper-only-temporary': 'docs/restore.md: a point-in-time restore is not temporary, no sweeper deletes it; the production database is never deleted',
  'failover-one-at-a-time': 'docs/failover.md step 1: the lock lets no two failovers act at once',
  'failover-cooldown': 'docs/failover.md step 1: after a run that changed something, a cooldown of failover.cooldownMinutes',
  'failover-dry-run-silent': 'docs/failover.md input: a dry run writes no lock, takes no action and sends no notification',
  'audit-snapshot-created': 'docs/backups.md: every run writes one audit record (snapshot and copy named)',
  'audit-snapshot-deleted': 'docs/backups.md: retention writes one record per region with every decision',
  'audit-verdict-tag': 'docs/restore.md: the audit record of the verdict names the report; a tag matches its record',
  'audit-temporary-instance': 'docs/runbook.md "audit records of every workflow"; audit.ts "one record per DR action": the restore test\'s temporary database created / deleted',
  'audit-sweeper-delete': 'docs/runbook.md "audit records of every workflow": a database the sweeper deletes',
  'audit-pitr': 'docs/runbook.md "audit records of every workflow": a point-in-time restore creates a database',
  'audit-failover-act': 'docs/failover.md step 10: an audit record per execution and outcome',
  'audit-backup-run': 'docs/backups.md: every run (succeeded or failed) writes one audit record with its result',
  'verify-verdict-recorded': 'docs/restore.md: after a restore test, no tag means inconclusive and "the audit record says why": every test that restored writes its verdict record',
  'clean-run-success': 'docs/restore.md, docs/backups.md: without faults, a backup ends with its snapshot and a restore test with a verified snapshot',
} as const;
export type InvariantId = keyof typeof INVARIANTS;

/**
 * Invariants that still FAIL on the code (found by this layer), excluded from `npm test` until fixed.
 * Each names its issue item and the minimal counterexample the layer found (seed and shrunk sequence).
 * Switch one on by deleting its entry once its fix lands, then run `npm run faults -- --runs 200`.
 * The issue-10 items 1-4, 6-8 were listed here until their fixes merged; their scenarios now enforce them.
 */
export const KNOWN_OPEN: Partial<Record<InvariantId, { item: string; counterexample: string }>> = {
};

/** The cooldown the world's failover λ runs with (COOLDOWN_SECONDS of test/support/failover-world.ts). */
export const COOLDOWN_SECONDS = 1800;
/** The sweeper runs hourly (docs/restore.md). */
export const SWEEP_PERIOD_MS = 3_600_000;

/** One broken invariant. */
export interface Violation {
  readonly id: InvariantId;
  readonly message: string;
}

/** The invariants to enforce in this run. */
export function enabledInvariants(env: string | undefined = process.env.FAULTS_INVARIANTS): Set<InvariantId> {
  const all = Object.keys(INVARIANTS) as InvariantId[];
  if (env === 'all') return new Set(all);
  if (env === 'none') return new Set();
  if (env !== undefined && env !== '') {
    const ids = env.split(',').map((s) => s.trim()) as InvariantId[];
    for (const id of ids) if (!(id in INVARIANTS)) throw new Error(`unknown invariant ${id}; known: ${all.join(', ')}`);
    return new Set(ids);
  }
  return new Set(all.filter((id) => !(id in KNOWN_OPEN)));
}

const arn = (actor: string): string => `arn:aws:states:eu-west-1:123456789012:execution:${actor}`;

/** Whether an execution could not record anything: stopped or timed out at the state machine level. */
function silenced(world: FaultWorld, actor: string): boolean {
  return world.executions.some((e) => e.name === actor && (e.status === 'ABORTED' || e.status === 'TIMED_OUT'));
}

/** Checks every invariant about the changes since `fromSeq` (one command's worth). */
export function checkChanges(world: FaultWorld, fromSeq: number): Violation[] {
  const out: Violation[] = [];
  const changes = world.changes.filter((c) => c.seq > fromSeq);
  const audits = world.audits();
  const byExecution = (actor: string) => audits.filter((a) => a.record.executionArn === arn(actor));
  for (const change of changes) {
    if (change.actor === 'operator' || change.actor === 'rds') continue;
    const label = `${change.kind} ${change.resource} (${change.region}) by ${change.actor} at ${change.at.toISOString()}`;
    if (change.kind === 'snapshot-deleted') {
      const before = (change.detail ?? []) as DBSnapshot[];
      const victim = before.find((s) => s.DBSnapshotIdentifier === change.resource);
      if (victim) for (const reason of keepReasons(victim, before, change.at)) out.push({ id: reason.rule as InvariantId, message: `${label}: kept by ${reason.rule} (${reason.why})` });
    }
    if (change.kind === 'instance-deleted') {
      const tags = (change.detail ?? []) as { Key?: string }[];
      if (!tags.some((t) => t.Key === 'dr:temporary')) out.push({ id: 'sweeper-only-temporary', message: `${label}: not tagged dr:temporary` });
    }
    if (silenced(world, change.actor)) continue;
    const records = byExecution(change.actor);
    const naming = records.filter((r) => r.text.includes(change.resource));
    switch (change.kind) {
      case 'snapshot-created':
      case 'snapshot-copied':
        if (naming.length === 0) out.push({ id: 'audit-snapshot-created', message: `${label}: no audit record of the execution names it` });
        break;
      case 'snapshot-deleted':
        if (!naming.some((r) => /retention|delete/.test(String(r.record.action)))) out.push({ id: 'audit-snapshot-deleted', message: `${label}: no retention/delete record names it` });
        break;
      case 'verdict-tag': {
        const ok = naming.some((r) => {
          const d = (r.record.details ?? {}) as Record<string, unknown>;
          return r.record.action === 'verify.verdict' && d.inconclusive !== true && (change.detail === 'passed') === (d.passed === true || r.record.result === 'succeeded');
        });
        if (!ok) out.push({ id: 'audit-verdict-tag', message: `${label} = ${String(change.detail)}: no verdict record says so (${naming.map((r) => `${String(r.record.action)}:${String(r.record.result)}`).join(', ') || 'none'})` });
        break;
      }
      case 'temp-created':
      case 'instance-deleted': {
        const id: InvariantId = change.actor.startsWith('sweep') ? 'audit-sweeper-delete' : 'audit-temporary-instance';
        if (naming.length === 0) out.push({ id, message: `${label}: no audit record of the execution names it` });
        break;
      }
      case 'pitr-created':
        if (naming.length === 0) out.push({ id: 'audit-pitr', message: `${label}: no audit record of the execution names it` });
        break;
      case 'failover-act':
        if (!records.some((r) => String(r.record.action).startsWith('failover.'))) out.push({ id: 'audit-failover-act', message: `${label}: the execution wrote no failover record` });
        break;
    }
  }
  // Failovers: acts of different executions never overlap a run in progress, and are a cooldown apart.
  const acts = world.changes.filter((c) => c.kind === 'failover-act' && c.actor !== 'operator' && c.actor !== 'rds');
  for (const act of acts.filter((c) => c.seq > fromSeq)) {
    for (const earlier of acts.filter((c) => c.seq < act.seq && c.actor !== act.actor)) {
      const run = world.executions.find((e) => e.name === earlier.actor);
      const inProgress = run === undefined || run.endedAt.getTime() > act.at.getTime();
      if (inProgress) out.push({ id: 'failover-one-at-a-time', message: `failover act by ${act.actor} at ${act.at.toISOString()} while ${earlier.actor} (acted ${earlier.at.toISOString()}) was still running` });
      else if (act.at.getTime() - earlier.at.getTime() < COOLDOWN_SECONDS * 1000) {
        out.push({ id: 'failover-cooldown', message: `failover act by ${act.actor} at ${act.at.toISOString()}, ${(act.at.getTime() - earlier.at.getTime()) / 1000} s after ${earlier.actor} acted (cooldown ${COOLDOWN_SECONDS} s)` });
      }
    }
  }
  return out;
}

/** Checks what every execution that ended on its own (not stopped, not timed out) must have written. */
export function checkExecutions(world: FaultWorld, executions: readonly FaultExecution[]): Violation[] {
  const out: Violation[] = [];
  const audits = world.audits();
  for (const e of executions) {
    if (e.status === 'ABORTED' || e.status === 'TIMED_OUT') continue;
    const mine = audits.filter((a) => a.record.executionArn === arn(e.name));
    if (e.name.startsWith('backup') && !e.path.includes('Plan snapshot')) continue;
    if (e.name.startsWith('backup') && (e.error !== 'ValidationError') && !mine.some((a) => a.record.action === 'backup.run')) {
      out.push({ id: 'audit-backup-run', message: `${e.name} ended ${e.status} ${e.error ?? ''} with no backup.run record${e.tripped ? ` (fault: ${e.tripped})` : ''}` });
    }
    if (e.name.startsWith('verify') && e.path.includes('Restore temporary database') && !mine.some((a) => a.record.action === 'verify.verdict')) {
      out.push({ id: 'verify-verdict-recorded', message: `${e.name} ended ${e.status} ${e.error ?? ''}: ${e.cause ?? ''} with no verdict record${e.tripped ? ` (fault: ${e.tripped})` : ''}` });
    }
  }
  return out;
}

/** After a sweep that ended normally at `at`: no temporary database whose expiry had passed is alive. */
export function checkSweep(world: FaultWorld, at: Date): Violation[] {
  return world
    .temporaries()
    .filter((t) => t.status !== 'deleting' && (Number.isNaN(t.expiresAt) || t.expiresAt <= at.getTime()))
    .map((t) => ({ id: 'temporary-expiry' as const, message: `${t.id} (${t.status}) expired ${Number.isNaN(t.expiresAt) ? 'never (no readable dr:expires-at)' : new Date(t.expiresAt).toISOString()} and survived the sweep at ${at.toISOString()}` }));
}

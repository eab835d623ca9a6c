/**
 * The world of one fault sequence: the failover world's fakes (RDS with the protected instance and
 * its cross-region replica, DynamoDB lock table, Route 53, Secrets Manager, EC2, SNS, CloudWatch,
 * the memory archive) on ONE virtual clock, the real handlers' `core` functions bound to the
 * project's ASL files, and one real PostgreSQL database standing in for the protected database and
 * for whatever RDS restores from it.
 *
 * Wrapped from the outside (nothing under test/support is changed): every fake's entry point and
 * the archive record who changed what (for the audit and retention invariants) and count the AWS
 * calls of each Lambda invocation (for "frozen after its K-th call").
 */
import type { DBSnapshot } from '@aws-sdk/client-rds';
import { openSession, type DbSession } from '../../functions/adapters/pg/connect.ts';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { PgVerificationProbe } from '../../functions/adapters/pg/verification-probe.ts';
import { aslText, substitute, type LocalFunction } from '../support/asl.ts';
import { FailoverWorld, failoverDefinition, WORLD, type HandlerModules } from '../support/failover-world.ts';
import type { TempDatabase } from '../support/pg.ts';
import { instancePlanes, WEST } from '../support/rds-planes.ts';
import { CALL_CONTEXT, runWorkflow, type ExecutionFault, type FaultExecution, type MidRun } from './runner.ts';

/** Every handler module the layer binds. */
export interface Modules extends HandlerModules {
  readonly snapshot: typeof import('../../functions/handlers/snapshot/index.ts');
  readonly manifest: typeof import('../../functions/handlers/manifest.ts');
  readonly retention: typeof import('../../functions/handlers/retention.ts');
  readonly restore: typeof import('../../functions/handlers/restore/index.ts');
  readonly verify: typeof import('../../functions/handlers/verify.ts');
}

export const FN = {
  snapshot: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-snapshot',
  manifest: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-manifest',
  retention: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-retention',
  restore: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-restore',
  verify: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-verify',
  failover: WORLD.failoverFunctionArn,
  probe: WORLD.probeFunctionArn,
} as const;

/** Lambda timeouts of the stacks (infra/constructs/backup.ts, restore-testing.ts, writer-probe.ts, failover.ts), seconds. */
const LAMBDA_TIMEOUT: Record<string, number> = { [FN.snapshot]: 300, [FN.manifest]: 900, [FN.retention]: 900, [FN.restore]: 300, [FN.verify]: 900, [FN.failover]: 60, [FN.probe]: 40 };
/** State machine timeouts from docs/operations.md (`--timeout-minutes` defaults), seconds. */
const MACHINE_TIMEOUT: Record<string, number> = { backup: 1440 * 60, verify: 360 * 60, 'pitr-restore': 480 * 60, failover: 60 * 60 };

const DEFINITIONS = {
  backup: () => substitute(aslText('backup'), { SnapshotFunctionArn: FN.snapshot, ManifestFunctionArn: FN.manifest, RetentionFunctionArn: FN.retention }),
  verify: () => substitute(aslText('verify'), { RestoreFunctionArn: FN.restore, VerifyFunctionArn: FN.verify }),
  'pitr-restore': () => substitute(aslText('pitr-restore'), { RestoreFunctionArn: FN.restore, VerifyFunctionArn: FN.verify }),
  failover: failoverDefinition,
};
export type Workflow = keyof typeof DEFINITIONS;

/** A change to the world an audit record must name. */
export interface Change {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  readonly kind: 'snapshot-created' | 'snapshot-copied' | 'snapshot-deleted' | 'verdict-tag' | 'temp-created' | 'instance-deleted' | 'pitr-created' | 'failover-act';
  /** Snapshot or instance identifier (the execution ARN for failover-act). */
  readonly resource: string;
  readonly region: string;
  /** Tag value (verdict), the deleted instance's tags, the snapshot list before a delete. */
  readonly detail?: unknown;
}

/** A document written to the archive. */
export interface ArchivedDoc {
  readonly seq: number;
  readonly at: Date;
  readonly key: string;
  readonly body: string;
}

const NEVER = new Promise<never>(() => undefined);
const MUTATING = /^(Create|Copy|Delete|AddTags|RemoveTags|Restore|Reboot|Promote|Failover|Modify)/;
const MUTATING_ANY = /^(Put|Update|Delete|Create|Change|Publish|Revoke|Authorize|Add|Remove|Tag)/;
/** Probe heartbeats land every minute at :07.654321 (microseconds, as PostgreSQL stores them). */
const HEARTBEAT_OFFSET_MS = 7_654;

/** The newest probe heartbeat at or before `t`, as PostgreSQL prints it (microseconds). */
export function heartbeatAt(t: Date): string {
  const ms = Math.floor((t.getTime() - HEARTBEAT_OFFSET_MS) / 60_000) * 60_000 + HEARTBEAT_OFFSET_MS;
  return `${new Date(ms).toISOString().slice(0, -1)}321Z`;
}

export class FaultWorld {
  readonly fw: FailoverWorld;
  readonly changes: Change[] = [];
  readonly archived: ArchivedDoc[] = [];
  readonly executions: FaultExecution[] = [];
  /** Calls made outside any invocation are the operator's. */
  actor = 'operator';
  #seq = 0;
  #sessions: DbSession[] = [];
  #pitrHeartbeat: string | null = null;
  readonly #modules: Modules;
  readonly #db: TempDatabase;

  constructor(modules: Modules, db: TempDatabase, start: string) {
    this.#modules = modules;
    this.#db = db;
    this.fw = new FailoverWorld(modules, { start });
    this.#wrapRds();
    for (const fake of [this.fw.dynamodb, this.fw.route53, this.fw.secrets, this.fw.ec2, this.fw.sns, this.fw.cloudwatch]) {
      const inner = fake.handle.bind(fake);
      fake.handle = (command: string, input: object, region?: string) => this.#counted(() => inner(command, input, region), MUTATING_ANY.test(command), command);
    }
    const archive = this.fw.archive;
    const put = archive.put.bind(archive);
    const get = archive.get.bind(archive);
    archive.put = (key, body, contentType) =>
      this.#counted(async () => {
        const stored = await put(key, body, contentType);
        this.archived.push({ seq: this.#next(), at: this.clock.now(), key, body });
        return stored;
      }, true, 'ArchivePut');
    archive.get = (key) => this.#counted(() => get(key), false, 'ArchiveGet');
  }

  get clock() {
    return this.fw.clock;
  }
  get rds() {
    return this.fw.rds;
  }
  get archive() {
    return this.fw.archive;
  }

  #next(): number {
    this.#seq += 1;
    return this.#seq;
  }

  /**
   * Counts an AWS call of the current invocation; runs an armed mid-run operator action before it,
   * and applies the execution's planned freeze or crash at it.
   */
  async #counted<T>(call: () => Promise<T>, mutating: boolean, command: string): Promise<T> {
    const store = CALL_CONTEXT.getStore();
    if (store === undefined) return call();
    if (store.tripped) return NEVER;
    const exec = store.exec;
    exec.calls += 1;
    if (mutating) exec.mutations += 1;
    exec.byCommand[command] = (exec.byCommand[command] ?? 0) + 1;
    const midRun = exec.midRun;
    if (midRun !== null && (midRun.atCommand === undefined ? exec.calls >= midRun.atCall : midRun.atCommand === command)) {
      exec.midRun = null;
      await CALL_CONTEXT.exit(() => midRun.action());
    }
    const fault = exec.fault;
    const hit =
      fault === null || fault.kind === 'service'
        ? false
        : fault.on === 'call'
          ? exec.calls === fault.n
          : fault.on === 'mutation'
            ? mutating && exec.mutations === fault.n
            : fault.on === 'command' && fault.command === command && exec.byCommand[command] === fault.n;
    if (fault !== null && fault.kind !== 'service' && hit) {
      exec.fault = null;
      store.tripped = true;
      if (fault.effect) await call().catch(() => undefined);
      store.trip(fault);
      return NEVER;
    }
    return call();
  }

  #wrapRds(): void {
    const rds = this.fw.rds;
    const inner = rds.handle.bind(rds);
    rds.handle = (command: string, input: object, region: string) =>
      this.#counted(async () => {
        const actor = CALL_CONTEXT.getStore()?.actor ?? this.actor;
        const i = input as Record<string, unknown>;
        const before = command === 'DeleteDBSnapshot' ? structuredClone(rds.snapshots(region)) : undefined;
        const instanceBefore = command === 'DeleteDBInstance' ? rds.instance(region, String(i.DBInstanceIdentifier)) : undefined;
        const output = await inner(command, input, region);
        if (!MUTATING.test(command)) return output;
        const record = (kind: Change['kind'], resource: string, detail?: unknown): void => {
          this.changes.push({ seq: this.#next(), at: this.clock.now(), actor, kind, resource, region, detail });
        };
        switch (command) {
          case 'CreateDBSnapshot':
            record('snapshot-created', String(i.DBSnapshotIdentifier));
            break;
          case 'CopyDBSnapshot':
            record('snapshot-copied', String(i.TargetDBSnapshotIdentifier));
            break;
          case 'DeleteDBSnapshot':
            record('snapshot-deleted', String(i.DBSnapshotIdentifier), before);
            break;
          case 'AddTagsToResource': {
            const verdict = ((i.Tags ?? []) as { Key: string; Value: string }[]).find((t) => t.Key === 'dr:verified');
            if (verdict) record('verdict-tag', String(i.ResourceName).split(':').pop() ?? '', verdict.Value);
            break;
          }
          case 'RestoreDBInstanceFromDBSnapshot':
            record('temp-created', String(i.DBInstanceIdentifier));
            break;
          case 'RestoreDBInstanceToPointInTime':
            record('pitr-created', String(i.TargetDBInstanceIdentifier));
            break;
          case 'DeleteDBInstance':
            record('instance-deleted', String(i.DBInstanceIdentifier), instanceBefore?.TagList ?? []);
            break;
          case 'RebootDBInstance':
            if (i.ForceFailover === true) record('failover-act', actor);
            break;
          case 'PromoteReadReplica':
          case 'FailoverDBCluster':
            record('failover-act', actor);
            break;
        }
        return output;
      }, MUTATING.test(command), command);
  }

  /** Sets the single heartbeat row of the real database (what the probe last wrote). */
  async setHeartbeat(at: string): Promise<void> {
    const client = await this.#db.connect();
    try {
      await client.query('UPDATE dr.heartbeat SET written_at = $1', [at]);
    } finally {
      await client.end();
    }
  }

  async #open(tls: 'disable' | 'require'): Promise<DbSession> {
    const session = await openSession({ host: '127.0.0.1', port: 5432, database: this.#db.name, user: 'postgres', password: '', tls });
    this.#sessions.push(session);
    return session;
  }

  /** Closes sessions a frozen invocation left open. */
  async closeLeftovers(): Promise<void> {
    const sessions = this.#sessions.splice(0);
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  }

  #functions: Record<string, LocalFunction> | null = null;

  /** The real handlers, bound by FunctionName (built once: SDK clients are slow to construct). */
  functions(): Record<string, LocalFunction> {
    this.#functions ??= this.#bind();
    return this.#functions;
  }

  #bind(): Record<string, LocalFunction> {
    const m = this.#modules;
    const now = (): Date => this.clock.now();
    const planes = instancePlanes();
    const archive = this.archive;
    const failover = this.fw.functions();
    return {
      ...failover,
      [FN.snapshot]: (payload) => m.snapshot.core(payload, { primary: planes.primary, dr: planes.dr, archive, now }),
      [FN.manifest]: async (payload) => {
        // The protected database as the probe left it: its newest heartbeat, a minute's granularity.
        await this.setHeartbeat(heartbeatAt(now()));
        return m.manifest.core(payload, {
          connect: async () => {
            const session = await this.#open('disable');
            return { inspector: new PgDatabaseInspector(session.client), close: session.close };
          },
          archive,
          now,
          // Reading B's settle waits pass in virtual time, as the retention pacing does.
          sleep: async (ms) => this.clock.advance(ms),
        });
      },
      [FN.retention]: (payload) =>
        m.retention.core(payload, { primary: planes.primary, dr: planes.dr, archive, now, sleep: async (ms) => this.clock.advance(ms), random: () => 0.5 }),
      [FN.restore]: async (payload) => {
        const out = await m.restore.core(payload, { ...planes, archive, now });
        const resolved = (out as { resolvedTargetTime?: string | null }).resolvedTargetTime;
        if ((payload as { action?: string }).action === 'pitr' && typeof resolved === 'string') this.#pitrHeartbeat = heartbeatAt(new Date(resolved));
        return out;
      },
      [FN.verify]: async (payload) => {
        // What RDS restored: the database as of the snapshot's (or the target's) time.
        const p = payload as { mode?: string; snapshotCreatedAt?: string | null };
        if (p.mode === 'snapshot' && typeof p.snapshotCreatedAt === 'string') await this.setHeartbeat(heartbeatAt(new Date(p.snapshotCreatedAt)));
        else if (this.#pitrHeartbeat !== null) await this.setHeartbeat(this.#pitrHeartbeat);
        return m.verify.core(payload, {
          connect: async () => {
            const sessions = [await this.#open('require'), await this.#open('require')];
            return { probe: new PgVerificationProbe(sessions.map((s) => s.client)), close: async () => void (await Promise.all(sessions.map((s) => s.close()))) };
          },
          archive,
          now,
        });
      },
    };
  }

  /** Runs a workflow with faults; records the execution. */
  async run(workflow: Workflow, input: unknown, options: { name: string; fault?: ExecutionFault; midRun?: MidRun; stopBeforeTask?: number }): Promise<FaultExecution> {
    const execution = await runWorkflow({
      name: options.name,
      definition: DEFINITIONS[workflow](),
      input,
      functions: this.functions(),
      clock: this.clock,
      documentedTimeoutSeconds: MACHINE_TIMEOUT[workflow] ?? 3600,
      lambdaTimeoutSeconds: (fn) => LAMBDA_TIMEOUT[fn] ?? 300,
      fault: options.fault,
      midRun: options.midRun,
      stopBeforeTask: options.stopBeforeTask,
    });
    this.executions.push(execution);
    await this.closeLeftovers();
    return execution;
  }

  /** Invokes one function directly (a scheduled Lambda), with an optional fault; returns the outcome. */
  async invoke(fn: string, payload: unknown, name: string, armed: { fault?: ExecutionFault; midRun?: MidRun } = {}): Promise<{ ok: boolean; error: string | null }> {
    const definition = {
      StartAt: 'Invoke',
      States: { Invoke: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn, Payload: payload }, End: true } },
    };
    const execution = await runWorkflow({
      name,
      definition,
      input: {},
      functions: this.functions(),
      clock: this.clock,
      documentedTimeoutSeconds: 3600,
      lambdaTimeoutSeconds: (f) => LAMBDA_TIMEOUT[f] ?? 300,
      fault: armed.fault,
      midRun: armed.midRun,
    });
    this.executions.push(execution);
    await this.closeLeftovers();
    return { ok: execution.status === 'SUCCEEDED', error: execution.error };
  }

  /** Snapshots of a region. */
  snapshots(region: string): DBSnapshot[] {
    return this.rds.snapshots(region);
  }

  /** Audit records written (parsed), with their archive order. */
  audits(): { seq: number; key: string; record: Record<string, unknown>; text: string }[] {
    return this.archived.filter((d) => d.key.startsWith('audit/')).map((d) => ({ seq: d.seq, key: d.key, record: JSON.parse(d.body) as Record<string, unknown>, text: d.body }));
  }

  /** The primary region's temporary databases (tagged dr:temporary), with their expiry. */
  temporaries(): { id: string; status: string; expiresAt: number }[] {
    return this.rds
      .instances(WEST)
      .filter((db) => (db.TagList ?? []).some((t) => t.Key === 'dr:temporary'))
      .map((db) => ({ id: db.DBInstanceIdentifier ?? '', status: db.DBInstanceStatus ?? '', expiresAt: Date.parse((db.TagList ?? []).find((t) => t.Key === 'dr:expires-at')?.Value ?? '') }));
  }

  dispose(): void {
    this.fw.restore();
  }
}

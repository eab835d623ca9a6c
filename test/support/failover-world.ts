/**
 * A complete, in-memory world for the failover workflow: the protected database in the RDS fake
 * (either topology, with a cross-region replica for the instance), the lock table, the private
 * hosted zone, the connection secret, the old writer's security group, the notification topic, the
 * archive, and the heartbeat tables of the writer and the replica, whose health follows the RDS
 * fake's state: the writer endpoint takes writes when the database is available and its writer is
 * not the broken one; the replica takes reads while available and writes once promoted.
 *
 * Used by the handler tests, the state machine tests and the failover benchmark. Time is one
 * virtual clock for RDS, the other fakes, the probe and the handlers.
 */
import type { FailoverConfig, FailoverDeps } from '../../functions/handlers/failover/index.ts';
import type { ProbeDeps } from '../../functions/handlers/probe/index.ts';
import type { Topology } from '../../functions/ports/database-control-plane.ts';
import { SqlConnectionError, SqlQueryError } from '../../functions/shared/errors.ts';
import { aslText, execute, substitute, type Execution, type LocalFunction } from './asl.ts';
import { CloudWatchFake } from './cloudwatch-fake.ts';
import { DynamoDbFake } from './dynamodb-fake.ts';
import { Ec2Fake } from './ec2-fake.ts';
import { HANDLER_ENV } from './handler-env.ts';
import { MemoryArchive } from './memory-archive.ts';
import { MemoryHeartbeats } from './memory-heartbeats.ts';
import { RdsFake, VirtualClock, type RdsFakeDurations } from './rds-fake.ts';
import { Route53Fake } from './route53-fake.ts';
import { SecretsFake } from './secrets-fake.ts';
import { SnsFake } from './sns-fake.ts';

/** Regions and names of the world. */
export const WORLD = {
  primaryRegion: 'eu-west-1',
  drRegion: 'eu-central-1',
  database: 'swifteats',
  replicaId: 'swifteats-dr',
  lockTable: 'swifteats-failover-lock',
  zoneName: 'swifteats.dr.internal',
  recordName: 'writer.swifteats.dr.internal',
  recordTtl: 10,
  securityGroupId: 'sg-0db0000000000000a',
  functionsSecurityGroupId: 'sg-0fn0000000000000b',
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:swifteats-dr-alerts',
  failoverFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-failover',
  probeFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:swifteats-probe',
} as const;

/** Host names the RDS fake gives its endpoints. */
export function endpointOf(id: string, region: string, cluster = false): string {
  return cluster ? `${id}.cluster-cfake0000000.${region}.rds.amazonaws.com` : `${id}.cfake0000000.${region}.rds.amazonaws.com`;
}

/**
 * The environment both handler modules read at load (the failover λ's variables and the probe's),
 * as the construct sets them; REPLICA_* make the probe measure the cross-region replica.
 */
export function failoverEnv(zoneId: string, secretArn: string): Record<string, string> {
  return {
    ...HANDLER_ENV,
    DATABASE_REGION: WORLD.primaryRegion,
    DR_REGION: WORLD.drRegion,
    REPLICA_ID: WORLD.replicaId,
    LOCK_TABLE: WORLD.lockTable,
    HOSTED_ZONE_ID: zoneId,
    RECORD_NAME: WORLD.recordName,
    RECORD_TTL_SECONDS: String(WORLD.recordTtl),
    CONNECTION_SECRET_ARN: secretArn,
    FENCE_SECURITY_GROUP_ID: WORLD.securityGroupId,
    TOPIC_ARN: WORLD.topicArn,
    MAX_LAG_SECONDS: '60',
    COOLDOWN_SECONDS: '1800',
    LOCK_LEASE_SECONDS: '3600',
    DB_HOST: endpointOf(WORLD.database, WORLD.primaryRegion),
    REPLICA_HOST: endpointOf(WORLD.replicaId, WORLD.drRegion),
    REPLICA_PORT: '5432',
    REPLICA_CATCH_UP_MS: '1000',
  };
}

/** The zone id and secret ARN the fakes give (deterministic). */
export const ZONE_ID = 'Z0000000000001FAKE';
/** ARN of the connection secret. */
export const SECRET_ARN = `arn:aws:secretsmanager:${WORLD.primaryRegion}:123456789012:secret:swifteats-connection-AbCdEf`;

/** The handler modules, loaded once the environment is set. */
export interface HandlerModules {
  readonly failover: typeof import('../../functions/handlers/failover/index.ts');
  readonly probe: typeof import('../../functions/handlers/probe/index.ts');
}

/** Sets the environment and imports both handlers (call once per test file, before the world is built). */
export async function loadHandlers(): Promise<HandlerModules> {
  Object.assign(process.env, failoverEnv(ZONE_ID, SECRET_ARN));
  return {
    failover: await import('../../functions/handlers/failover/index.ts'),
    probe: await import('../../functions/handlers/probe/index.ts'),
  };
}

/** Options of a world. */
export interface WorldOptions {
  readonly topology?: Topology;
  /** Whether the instance has a cross-region read replica. @default true for the instance topology */
  readonly replica?: boolean;
  /** RDS durations (failover 90 s, cluster failover 30 s, promotion 300 s by default). */
  readonly durations?: Partial<RdsFakeDurations>;
  /** Route 53 propagation. @default 60_000 */
  readonly dnsPropagationMs?: number;
  /** Start of the virtual clock. @default 2026-11-29T02:00:00Z */
  readonly start?: string;
}

/** Simulated application latency of each kind of step, for the benchmark (virtual milliseconds). */
export interface StepLatency {
  /** Every λ invocation (failover steps, healthy probes). */
  readonly invokeMs: number;
  /** A probe whose connection fails takes its connect timeout. */
  readonly failedProbeMs: number;
}

/** The world. */
export class FailoverWorld {
  readonly clock: VirtualClock;
  readonly topology: Topology;
  readonly rds: RdsFake;
  readonly dynamodb: DynamoDbFake;
  readonly route53: Route53Fake;
  readonly secrets: SecretsFake;
  readonly ec2: Ec2Fake;
  readonly sns: SnsFake;
  readonly cloudwatch: CloudWatchFake;
  readonly archive = new MemoryArchive();
  /** The writer endpoint's heartbeat table (the RDS writer DNS name). */
  readonly writer = new MemoryHeartbeats();
  /** The cross-region replica's heartbeat table. */
  readonly replica = new MemoryHeartbeats();
  /** The writer location (AZ or cluster member) that is broken; null when the writer is healthy. */
  brokenWriter: string | null = null;
  /** Replication lag of the replica, virtual milliseconds. */
  replicaLagMs = 2_000;
  /** Extra fault of the replica endpoint (e.g. failing after the switch); return an error to throw. */
  replicaFault: (step: string) => Error | null = () => null;
  /** Metrics the failover λ published. */
  readonly published: { name: string; value: number; failureMode: string }[] = [];
  /** Latency added to each step when set (benchmark). */
  latency: StepLatency | null = null;
  /** Whether the world has a cross-region replica (the probe measures it only then). */
  readonly hasReplica: boolean;
  readonly #stubs: { restore(): void }[] = [];
  readonly #modules: HandlerModules;

  constructor(modules: HandlerModules, options: WorldOptions = {}) {
    this.#modules = modules;
    this.topology = options.topology ?? 'multi-az-instance';
    this.clock = new VirtualClock(options.start ?? '2026-11-29T02:00:00.000Z');
    this.rds = new RdsFake({ clock: this.clock, durations: options.durations });
    this.dynamodb = new DynamoDbFake(this.clock);
    this.route53 = new Route53Fake(this.clock, options.dnsPropagationMs ?? 60_000);
    this.secrets = new SecretsFake(this.clock);
    this.ec2 = new Ec2Fake(this.clock);
    this.sns = new SnsFake(this.clock);
    this.cloudwatch = new CloudWatchFake(this.clock);
    for (const fake of [this.rds, this.dynamodb, this.route53, this.secrets, this.ec2, this.sns, this.cloudwatch]) this.#stubs.push(fake.install());

    const cluster = this.topology === 'multi-az-cluster';
    if (cluster) this.rds.addCluster({ id: WORLD.database, region: WORLD.primaryRegion });
    else this.rds.addInstance({ id: WORLD.database, region: WORLD.primaryRegion });
    const withReplica = options.replica ?? !cluster;
    this.hasReplica = withReplica;
    if (withReplica) {
      this.rds.addInstance({ id: WORLD.replicaId, region: WORLD.drRegion, MultiAZ: false, ReadReplicaSourceDBInstanceIdentifier: this.rds.instanceArn(WORLD.primaryRegion, WORLD.database) });
    }
    this.dynamodb.createTable(WORLD.lockTable, 'pk', 'expiresAt');
    const zone = this.route53.addHostedZone(WORLD.zoneName);
    if (zone !== ZONE_ID) throw new Error(`unexpected zone id ${zone}`);
    this.route53.addRecord(zone, WORLD.recordName, 'CNAME', WORLD.recordTtl, [this.primaryEndpoint]);
    const arn = this.secrets.addSecret('swifteats-connection', JSON.stringify({ engine: 'postgres', host: this.primaryEndpoint, port: 5432, dbname: 'swifteats' }));
    if (arn !== SECRET_ARN) throw new Error(`unexpected secret ARN ${arn}`);
    this.ec2.addSecurityGroup(WORLD.securityGroupId, [
      { protocol: 'tcp', fromPort: 5432, toPort: 5432, source: WORLD.functionsSecurityGroupId, description: 'DR functions (probe, manifest, verify)' },
      { protocol: 'tcp', fromPort: 5432, toPort: 5432, source: '10.20.0.0/16', description: 'applications' },
    ]);
    this.sns.addTopic(WORLD.topicArn);

    // A heartbeat a minute for the last ten minutes, on the writer; the replica follows with its lag.
    const now = this.clock.now().getTime();
    this.writer.rows = Array.from({ length: 10 }, (_, i) => ({ writtenAt: iso(now - (10 - i) * 60_000), writer: 'monitor' }));
    this.writer.onStep = (step) => this.#writerStep(step);
    this.replica.onStep = (step) => this.#replicaStep(step);
  }

  /** The primary's writer endpoint (instance endpoint or cluster writer endpoint). */
  get primaryEndpoint(): string {
    return endpointOf(WORLD.database, WORLD.primaryRegion, this.topology === 'multi-az-cluster');
  }

  /** The replica's endpoint. */
  get replicaEndpoint(): string {
    return endpointOf(WORLD.replicaId, WORLD.drRegion);
  }

  /** The writer's location now: the primary's AZ, or the cluster's writer member. */
  writerLocation(): string | null {
    if (this.topology === 'multi-az-cluster') return this.rds.cluster(WORLD.primaryRegion, WORLD.database)?.DBClusterMembers?.find((m) => m.IsClusterWriter === true)?.DBInstanceIdentifier ?? null;
    return this.rds.instance(WORLD.primaryRegion, WORLD.database)?.AvailabilityZone ?? null;
  }

  /**
   * Breaks the current writer: the writer endpoint refuses connections until the writer moves.
   * The ten minutes before were healthy: the monitor probe published WriterHealthy 1 and the
   * replica's lag (ReplicaHeartbeatAgeSeconds) every minute.
   */
  breakWriter(): void {
    this.brokenWriter = this.writerLocation();
    const dimensions = { service: 'rds-dr', Database: WORLD.database };
    const minute = Math.floor(this.clock.now().getTime() / 60_000) * 60_000;
    for (let m = 1; m <= 10; m += 1) {
      const at = new Date(minute - m * 60_000);
      this.cloudwatch.put('RdsDr', 'WriterHealthy', dimensions, at, 1);
      this.cloudwatch.put('RdsDr', 'ReplicaHeartbeatAgeSeconds', dimensions, at, this.replicaLagMs / 1000);
    }
  }

  #primaryAvailable(): boolean {
    const status = this.topology === 'multi-az-cluster' ? this.rds.cluster(WORLD.primaryRegion, WORLD.database)?.Status : this.rds.instance(WORLD.primaryRegion, WORLD.database)?.DBInstanceStatus;
    return status === 'available';
  }

  #writerStep(step: string): void {
    this.writer.serverNow = this.clock.now();
    if (step === 'open' && (!this.#primaryAvailable() || (this.brokenWriter !== null && this.writerLocation() === this.brokenWriter))) {
      if (this.latency) this.clock.advance(this.latency.failedProbeMs);
      throw new SqlConnectionError(`connect to ${this.primaryEndpoint}:5432: timeout expired`);
    }
  }

  #replicaStep(step: string): void {
    this.replica.serverNow = this.clock.now();
    const replica = this.rds.instance(WORLD.drRegion, WORLD.replicaId);
    const promoted = replica !== undefined && replica.ReadReplicaSourceDBInstanceIdentifier === undefined;
    if (!promoted) {
      // Replicating: everything the writer committed up to the lag.
      const horizon = this.clock.now().getTime() - this.replicaLagMs;
      this.replica.rows = (this.writer.rows ?? []).filter((row) => Date.parse(row.writtenAt) <= horizon);
    }
    const fault = this.replicaFault(step);
    if (fault !== null) throw fault;
    if (step === 'open' && replica?.DBInstanceStatus !== 'available') {
      if (this.latency) this.clock.advance(this.latency.failedProbeMs);
      throw new SqlConnectionError(`connect to ${this.replicaEndpoint}:5432: timeout expired`);
    }
    if ((step === 'ensureTable' || step === 'write') && !promoted) {
      throw new SqlQueryError('cannot execute INSERT in a read-only transaction', '25006');
    }
  }

  /** The failover λ's configuration for this world's topology (no replica for a cluster). */
  config(): FailoverConfig {
    const env = failoverEnv(ZONE_ID, SECRET_ARN);
    const cluster = this.topology === 'multi-az-cluster';
    return this.#modules.failover.failoverConfigFromEnv({ ...env, TOPOLOGY: this.topology, ...(cluster ? { REPLICA_ID: 'none', DR_REGION: 'none' } : {}) });
  }

  /** The failover λ's dependencies: the real adapters on SDK clients bound to the fakes. */
  deps(): FailoverDeps {
    // aws-sdk-client-mock replaces `send`, so the SDK's own retries never run: retries are the state machine's.
    const ports = this.#modules.failover.portsFor(this.config());
    return {
      ...ports,
      archive: this.archive,
      now: () => this.clock.now(),
      publish: (name, value, failureMode) => this.published.push({ name, value, failureMode }),
    };
  }

  /** The probe λ's dependencies: the two heartbeat tables, the virtual clock. */
  probeDeps(): ProbeDeps {
    return {
      credentials: { get: async () => ({ username: 'dr_probe', password: 'from-the-secret' }) },
      writer: () => this.writer,
      replica: this.hasReplica ? () => this.replica : null,
      clock: {
        monotonicMs: () => this.clock.now().getTime(),
        now: () => this.clock.now(),
        sleep: async (ms) => this.clock.advance(ms),
      },
      publish: () => undefined,
    };
  }

  /** Both λs bound by their ARNs, as the state machine invokes them. */
  functions(): Record<string, LocalFunction> {
    const deps = this.deps();
    const cfg = this.config();
    const probeDeps = this.probeDeps();
    const step = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (this.latency) this.clock.advance(this.latency.invokeMs);
      return fn();
    };
    return {
      [WORLD.failoverFunctionArn]: (payload) => step(() => this.#modules.failover.core(payload, deps, cfg)),
      [WORLD.probeFunctionArn]: (payload) => step(() => this.#modules.probe.core(payload, probeDeps)),
    };
  }

  /**
   * Runs statemachines/failover.asl.json with this world. The execution ARN is
   * `arn:aws:states:eu-west-1:123456789012:execution:<name>:local`: executions meant to be
   * different (for the lock) need different names.
   */
  run(input: unknown, name = 'failover', functions: Record<string, LocalFunction> = this.functions()): Promise<Execution> {
    return execute(name, failoverDefinition(), input, { functions, clock: this.clock });
  }

  /** Calls of RDS that change state (anything but Describe and List). */
  rdsMutations(): string[] {
    return this.rds.calls().filter((c) => !/^(Describe|List)/.test(c.command)).map((c) => c.command);
  }

  /** Every state-changing call to any AWS fake, as `service:Command`. */
  mutations(): string[] {
    return [
      ...this.rdsMutations().map((c) => `rds:${c}`),
      ...this.dynamodb.mutatingCalls().map((c) => `dynamodb:${c.command}`),
      ...this.route53.mutatingCalls().map((c) => `route53:${c.command}`),
      ...this.secrets.mutatingCalls().map((c) => `secretsmanager:${c.command}`),
      ...this.ec2.mutatingCalls().map((c) => `ec2:${c.command}`),
      ...this.sns.mutatingCalls().map((c) => `sns:${c.command}`),
      ...this.cloudwatch.mutatingCalls().map((c) => `cloudwatch:${c.command}`),
    ];
  }

  /** The lock item as DynamoDB holds it, flattened, or undefined. */
  lockItem(): { owner: string; state: string; expiresAt: number; steps: string[] } | undefined {
    const item = this.dynamodb.item(WORLD.lockTable, `failover#${WORLD.database}`);
    if (item === undefined) return undefined;
    return { owner: item['owner']?.S ?? '', state: item['state']?.S ?? '', expiresAt: Number(item['expiresAt']?.N), steps: Object.keys(item['steps']?.M ?? {}).sort() };
  }

  /** The audit records written, parsed. */
  audits(): { action: string; result: string; resource: string; details: Record<string, unknown> }[] {
    return this.archive.json(`audit/${WORLD.database}/`) as { action: string; result: string; resource: string; details: Record<string, unknown> }[];
  }

  /** Restores the SDK clients. */
  restore(): void {
    for (const stub of this.#stubs) stub.restore();
  }
}

/** The failover state machine with the world's function ARNs substituted. */
export function failoverDefinition(): Record<string, unknown> {
  return substitute(aslText('failover'), { FailoverFunctionArn: WORLD.failoverFunctionArn, ProbeFunctionArn: WORLD.probeFunctionArn });
}

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}

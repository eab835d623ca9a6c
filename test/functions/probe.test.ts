import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeClock } from '../../functions/domain/probe/heartbeat.ts';
import type { ProbeDeps } from '../../functions/handlers/probe/index.ts';
import type { CredentialsProvider, DatabaseCredentials } from '../../functions/ports/database-credentials.ts';
import { ConfigurationError, SqlConnectionError } from '../../functions/shared/errors.ts';
import type { MetricName } from '../../functions/shared/metric-names.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { MemoryHeartbeats } from '../support/memory-heartbeats.ts';

/** The probe's environment as the CDK stack sets it (TLS verified, a cross-region replica). */
const PROBE_ENV: Readonly<Record<string, string>> = {
  DB_NAME: 'swifteats',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-db-AbCdEf',
  DB_TLS_MODE: 'verify-full',
  DB_HOST: 'swifteats.abc123.eu-west-1.rds.amazonaws.com',
  DB_PORT: '5432',
  REPLICA_HOST: 'swifteats-replica.def456.eu-central-1.rds.amazonaws.com',
  REPLICA_PORT: '5432',
  REPLICA_CATCH_UP_MS: '1000',
};
const WRITER = 'swifteats.abc123.eu-west-1.rds.amazonaws.com:5432/swifteats';
const REPLICA = 'swifteats-replica.def456.eu-central-1.rds.amazonaws.com:5432/swifteats';

setHandlerEnv(PROBE_ENV);
let handler: typeof import('../../functions/handlers/probe/index.ts');
beforeAll(async () => {
  handler = await import('../../functions/handlers/probe/index.ts');
});

/** Wall clock at 02:00:30, moved by the stores' steps and by pauses. */
class FakeClock implements ProbeClock {
  mono = 0;
  wall = Date.parse('2026-11-29T02:00:30.000Z');
  monotonicMs(): number {
    return this.mono;
  }
  now(): Date {
    return new Date(this.wall);
  }
  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
  advance(ms: number): void {
    this.mono += ms;
    this.wall += ms;
  }
}

let clock: FakeClock;
let writer: MemoryHeartbeats;
let replica: MemoryHeartbeats;
let published: [MetricName, number][];
let credentialReads: number;
let logins: DatabaseCredentials[];
let deps: ProbeDeps;

beforeEach(() => {
  clock = new FakeClock();
  writer = new MemoryHeartbeats();
  writer.serverNow = new Date('2026-11-29T02:00:30.004Z');
  writer.onStep = () => clock.advance(2);
  // The replica is 90 s behind: its newest heartbeat is from 02:00:00.
  replica = new MemoryHeartbeats();
  replica.rows = [{ writtenAt: '2026-11-29T02:00:00.000000Z', writer: 'monitor' }];
  replica.onStep = () => clock.advance(1);
  published = [];
  credentialReads = 0;
  logins = [];
  const credentials: CredentialsProvider = {
    get: async () => {
      credentialReads += 1;
      return { username: 'dr_probe', password: 'from-the-secret' };
    },
  };
  deps = {
    credentials,
    writer: (login) => (logins.push(login), writer),
    replica: (login) => (logins.push(login), replica),
    clock,
    publish: (name, value) => published.push([name, value]),
  };
});

describe('probe λ: event contract', () => {
  it.each([
    ['not an object', 'probe', ['event: must be a JSON object, got string', 'mode: required, one of monitor, confirm, post-check']],
    ['without a mode', {}, ['mode: required, one of monitor, confirm, post-check']],
    ['with an unknown mode', { mode: 'failover' }, ['mode: "failover" is not one of monitor, confirm, post-check']],
    ['with an unknown target', { mode: 'confirm', target: 'standby' }, ['target: "standby" is not one of writer, replica']],
    ['with a target that is not a string', { mode: 'confirm', target: 1 }, ['target: 1 is not one of writer, replica']],
    ['with an executionArn that is not a string', { mode: 'confirm', executionArn: 42 }, ['executionArn: 42 is not a non-empty string']],
    ['monitoring the replica', { mode: 'monitor', target: 'replica' }, ['target: "replica" is only for modes confirm and post-check; monitor probes the writer']],
  ])('rejects an event %s, naming every bad field, before any credential read or connection', async (_, event, problems) => {
    // Act / Assess
    await expect(handler.core(event, deps)).rejects.toMatchObject({ name: 'ValidationError', problems });
    expect(credentialReads).toBe(0);
    expect([...writer.calls, ...replica.calls]).toEqual([]);
    expect(published).toEqual([]);
  });

  it('rejects target replica when no replica is configured', async () => {
    await expect(handler.core({ mode: 'post-check', target: 'replica' }, { ...deps, replica: null })).rejects.toMatchObject({
      name: 'ValidationError',
      problems: ['target: "replica", but no replica is configured (REPLICA_HOST=none)'],
    });
  });
});

describe('probe λ: monitor (scheduled)', () => {
  it('publishes WriterHealthy=1, the latency and the replica heartbeat age, and returns them', async () => {
    // Act
    const output = await handler.core({ mode: 'monitor' }, deps);

    // Assess: writer steps cost 2 ms each (open, ensureTable, write, prune); the replica read
    // happens after 1 s of catch-up waiting for a heartbeat that never arrives.
    expect(output).toEqual({
      mode: 'monitor',
      target: 'writer',
      database: 'swifteats',
      endpoint: WRITER,
      healthy: true,
      phase: null,
      error: null,
      latencyMs: 6,
      elapsedMs: 8,
      heartbeatAt: '2026-11-29T02:00:30.004000Z',
      tableCreated: true,
      prunedRows: 0,
      replica: { phase: null, error: null, newestHeartbeatAt: '2026-11-29T02:00:00.000000Z', ageSeconds: 31.011 },
    });
    expect(published).toEqual([
      ['WriterHealthy', 1],
      ['ProbeLatencyMs', 6],
      ['ReplicaHeartbeatAgeSeconds', 31.011],
    ]);
    expect(writer.rows).toEqual([{ writtenAt: '2026-11-29T02:00:30.004000Z', writer: `monitor probe from eu-west-1 to ${WRITER}` }]);
    expect(writer.opened).toEqual([{ connectTimeoutMs: 3_000, statementTimeoutMs: 2_000 }]);
    expect(replica.calls.filter((call) => call === 'write' || call === 'ensureTable' || call === 'prune')).toEqual([]);
    expect(credentialReads).toBe(1);
    expect(logins).toEqual([
      { username: 'dr_probe', password: 'from-the-secret' },
      { username: 'dr_probe', password: 'from-the-secret' },
    ]);
  });

  it('publishes WriterHealthy=0 and no latency when the writer is down, and still measures the replica', async () => {
    // Prepare
    writer.faults.set('open', new SqlConnectionError(`connect to ${WRITER}: timeout expired`));

    // Act
    const output = await handler.core({ mode: 'monitor' }, deps);

    // Assess: nothing was written, so the replica is read once, at 02:00:30 + 2 ms + 2 ms.
    expect(output).toMatchObject({
      healthy: false,
      phase: 'connect',
      error: { name: 'SqlConnectionError', message: `connect to ${WRITER}: timeout expired` },
      latencyMs: null,
      replica: { ageSeconds: 30.004 },
    });
    expect(published).toEqual([
      ['WriterHealthy', 0],
      ['ReplicaHeartbeatAgeSeconds', 30.004],
    ]);
  });

  it('publishes no replica age when the replica cannot be read, and only writer metrics without a replica', async () => {
    // Prepare
    replica.faults.set('open', new SqlConnectionError(`connect to ${REPLICA}: connect ETIMEDOUT`));

    // Act
    const withBrokenReplica = await handler.core({ mode: 'monitor' }, deps);
    const broken = published.splice(0);
    const withoutReplica = await handler.core({ mode: 'monitor' }, { ...deps, replica: null });

    // Assess
    expect(withBrokenReplica.replica).toEqual({
      phase: 'connect',
      error: { name: 'SqlConnectionError', message: `connect to ${REPLICA}: connect ETIMEDOUT` },
      newestHeartbeatAt: null,
      ageSeconds: null,
    });
    expect(broken.map(([name]) => name)).toEqual(['WriterHealthy', 'ProbeLatencyMs']);
    expect(withoutReplica.replica).toBeNull();
    expect(published.map(([name]) => name)).toEqual(['WriterHealthy', 'ProbeLatencyMs']);
  });

  it('throws, publishing nothing, when the secret cannot be read: that says nothing about the writer', async () => {
    // Prepare
    const denied = Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' });
    const failing: CredentialsProvider = {
      get: async () => {
        throw denied;
      },
    };

    // Act / Assess
    await expect(handler.core({ mode: 'monitor' }, { ...deps, credentials: failing })).rejects.toBe(denied);
    expect(published).toEqual([]);
    expect(writer.calls).toEqual([]);
  });
});

describe('probe λ: failover workflow modes', () => {
  it('confirm returns the writer result and the replica age, and publishes nothing', async () => {
    // Prepare
    writer.faults.set('write', new SqlConnectionError(`writing a heartbeat on ${WRITER}: Query read timeout`));

    // Act
    const output = await handler.core({ mode: 'confirm', executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:failover:run-1' }, deps);

    // Assess
    expect(output).toMatchObject({ mode: 'confirm', target: 'writer', healthy: false, phase: 'write', replica: { newestHeartbeatAt: '2026-11-29T02:00:00.000000Z' } });
    expect(published).toEqual([]);
    expect(writer.rows).toEqual([]);
  });

  it('post-check of the writer returns its result without reading the replica', async () => {
    // Act
    const output = await handler.core({ mode: 'post-check' }, deps);

    // Assess
    expect(output).toMatchObject({ mode: 'post-check', target: 'writer', endpoint: WRITER, healthy: true, replica: null });
    expect(replica.calls).toEqual([]);
    expect(published).toEqual([]);
  });

  it('post-check of the promoted replica writes its heartbeat there, and only there', async () => {
    // Act
    const output = await handler.core({ mode: 'post-check', target: 'replica' }, deps);

    // Assess
    expect(output).toMatchObject({ mode: 'post-check', target: 'replica', endpoint: REPLICA, healthy: true, tableCreated: false, replica: null });
    expect(replica.rows?.map((row) => row.writer)).toEqual(['monitor', `post-check probe from eu-west-1 to ${REPLICA}`]);
    expect(writer.calls).toEqual([]);
    expect(published).toEqual([]);
  });
});

describe('probe λ: environment', () => {
  it('reads endpoints, TLS mode and secret, with defaults for the tunables', () => {
    // Act
    const config = handler.probeConfigFromEnv({ ...PROBE_ENV, AWS_REGION: 'eu-west-1', DATABASE_ID: 'swifteats', REPLICA_CATCH_UP_MS: '' });

    // Assess
    expect(config).toEqual({
      region: 'eu-west-1',
      databaseId: 'swifteats',
      databaseName: 'swifteats',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:swifteats-db-AbCdEf',
      tls: 'verify-full',
      writer: { host: 'swifteats.abc123.eu-west-1.rds.amazonaws.com', port: 5432 },
      replica: { host: 'swifteats-replica.def456.eu-central-1.rds.amazonaws.com', port: 5432 },
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 2_000,
      timeoutMs: 8_000,
      retentionSeconds: 604_800,
      pruneBatchSize: 1_000,
      replicaCatchUpMs: 2_000,
    });
  });

  it('takes REPLICA_HOST=none as "no replica", without a port', () => {
    const config = handler.probeConfigFromEnv({ ...PROBE_ENV, AWS_REGION: 'eu-west-1', DATABASE_ID: 'swifteats', REPLICA_HOST: 'none', REPLICA_PORT: '' });
    expect(config.replica).toBeNull();
  });

  it('names every missing required variable', () => {
    expect(() => handler.probeConfigFromEnv({ AWS_REGION: 'eu-west-1', DATABASE_ID: 'swifteats', DB_TLS_MODE: 'verify-full' })).toThrow(
      new ConfigurationError('missing environment variable(s): DB_HOST, DB_PORT, DB_NAME, DB_SECRET_ARN, REPLICA_HOST'),
    );
  });

  it('names every bad value at once', () => {
    // Prepare
    const env = {
      ...PROBE_ENV,
      AWS_REGION: 'eu-west-1',
      DATABASE_ID: 'swifteats',
      DB_TLS_MODE: 'prefer',
      DB_SECRET_ARN: 'swifteats-db',
      DB_PORT: '70000',
      REPLICA_PORT: '',
      PROBE_TIMEOUT_MS: '5s',
      HEARTBEAT_RETENTION_SECONDS: '60',
    };

    // Act / Assess
    expect(() => handler.probeConfigFromEnv(env)).toThrow(
      new ConfigurationError(
        'invalid environment: DB_TLS_MODE: "prefer" is not one of verify-full, require, disable; ' +
          'DB_SECRET_ARN: "swifteats-db" is not a Secrets Manager secret ARN; ' +
          'DB_PORT: "70000" is not an integer from 1 to 65535; ' +
          'REPLICA_PORT: required when REPLICA_HOST is set (use REPLICA_HOST=none when there is no replica); ' +
          'PROBE_TIMEOUT_MS: "5s" is not an integer from 100 to 120000; ' +
          'HEARTBEAT_RETENTION_SECONDS: "60" is not an integer from 3600 to 31622400',
      ),
    );
  });
});

describe('EnvironmentCredentials (local runs and tests)', () => {
  it('reads DB_USER and DB_PASSWORD, and names the missing ones', async () => {
    // Prepare
    const { EnvironmentCredentials } = await import('../../functions/adapters/env/credentials.ts');

    // Act / Assess
    await expect(new EnvironmentCredentials({ DB_USER: 'dr_probe', DB_PASSWORD: 'local' }).get()).resolves.toEqual({ username: 'dr_probe', password: 'local' });
    await expect(new EnvironmentCredentials({ DB_USER: 'dr_probe' }).get()).rejects.toThrow(new ConfigurationError('missing environment variable(s): DB_PASSWORD'));
  });
});

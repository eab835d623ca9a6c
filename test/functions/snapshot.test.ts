import { RDSClient } from '@aws-sdk/client-rds';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { SnapshotDeps } from '../../functions/handlers/snapshot/index.ts';
import { MemoryArchive } from '../support/memory-archive.ts';
import { setHandlerEnv } from '../support/handler-env.ts';
import { RdsFake, rdsFault, VirtualClock } from '../support/rds-fake.ts';
import { CENTRAL, WEST, instancePlanes } from '../support/rds-planes.ts';

// A Sunday: the run is the weekly tier.
const SUNDAY = '2026-11-29T02:00:00Z';

setHandlerEnv();
let core: typeof import('../../functions/handlers/snapshot/index.ts').core;
beforeAll(async () => {
  ({ core } = await import('../../functions/handlers/snapshot/index.ts'));
});

let clock: VirtualClock;
let rds: RdsFake;
let stub: AwsClientStub<RDSClient>;
let archive: MemoryArchive;
let deps: SnapshotDeps;

beforeEach(() => {
  clock = new VirtualClock('2026-11-29T02:00:05Z');
  rds = new RdsFake({ clock });
  stub = rds.install();
  rds.addInstance({ id: 'swifteats', region: WEST });
  archive = new MemoryArchive();
  const planes = instancePlanes();
  deps = {
    primary: planes.primary,
    dr: planes.dr,
    archive,
    now: () => clock.now(),
  };
});

afterEach(() => {
  stub.restore();
});

function tagsOf(region: string, id: string): Record<string, string> {
  return Object.fromEntries((rds.snapshot(region, id)?.TagList ?? []).map((t) => [t.Key, t.Value]));
}

describe('snapshot λ: create', () => {
  it('takes the weekly snapshot with its deterministic id and managed tags', async () => {
    // Act
    const result = await core({ action: 'create', scheduledAt: SUNDAY, executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:backup:run-1' }, deps);
    // Assess
    expect(result).toEqual({ snapshotId: 'swifteats-weekly-202611290200', snapshotArn: rds.snapshotArn(WEST, 'swifteats-weekly-202611290200'), tier: 'weekly', status: 'creating', created: true });
    expect(tagsOf(WEST, 'swifteats-weekly-202611290200')).toEqual({ 'dr:managed': 'true', 'dr:tier': 'weekly', 'dr:policy': 'swifteats-gfs', 'dr:database': 'swifteats' });
  });

  it('is idempotent: a duplicate delivery of the same schedule creates nothing', async () => {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    const second = await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    expect(second).toMatchObject({ snapshotId: 'swifteats-weekly-202611290200', created: false });
    expect(rds.callCount('CreateDBSnapshot')).toBe(1);
    expect(rds.snapshots(WEST).map((s) => s.DBSnapshotIdentifier)).toEqual(['swifteats-weekly-202611290200']);
  });

  it('treats losing a creation race to a duplicate run as success', async () => {
    // Prepare: between our existence check and our create, another run creates the snapshot.
    rds.failNext('CreateDBSnapshot', () => {
      rds.addSnapshot({ id: 'swifteats-weekly-202611290200', region: WEST, instanceId: 'swifteats', status: 'creating', tags: [{ Key: 'dr:managed', Value: 'true' }] });
      return rdsFault('DBSnapshotAlreadyExists', 'Cannot create the snapshot because a snapshot with the identifier swifteats-weekly-202611290200 already exists.');
    });
    // Act
    const result = await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    // Assess
    expect(result).toMatchObject({ snapshotId: 'swifteats-weekly-202611290200', created: false, status: 'creating' });
  });

  it('refuses to adopt a snapshot with its id that it did not make', async () => {
    rds.addSnapshot({ id: 'swifteats-weekly-202611290200', region: WEST, instanceId: 'swifteats' });
    await expect(core({ action: 'create', scheduledAt: SUNDAY }, deps)).rejects.toMatchObject({
      name: 'SnapshotAlreadyExistsError',
      message: 'snapshot swifteats-weekly-202611290200 exists but is not tagged dr:managed=true: someone else made it; refusing to adopt it',
    });
  });

  it('refuses when the database is not available, and creates nothing', async () => {
    rds.setInstanceStatus(WEST, 'swifteats', 'modifying');
    await expect(core({ action: 'create', scheduledAt: SUNDAY }, deps)).rejects.toMatchObject({
      name: 'DatabaseNotAvailableError',
      message: 'database swifteats is modifying, not available: no snapshot taken',
    });
    expect(rds.snapshots(WEST)).toEqual([]);
  });

  it('refuses when the manual-snapshot quota is used up, and creates nothing', async () => {
    rds.setQuota('ManualSnapshots', 2, WEST);
    rds.addSnapshot({ id: 'a', region: WEST, instanceId: 'swifteats' });
    rds.addSnapshot({ id: 'b', region: WEST, instanceId: 'swifteats' });
    await expect(core({ action: 'create', scheduledAt: SUNDAY }, deps)).rejects.toMatchObject({
      name: 'SnapshotQuotaExceededError',
      message: 'manual-snapshot quota used up (2/2) in eu-west-1: no snapshot taken',
    });
    expect(rds.callCount('CreateDBSnapshot')).toBe(0);
  });

  it('surfaces throttling as ThrottledError for the state machine to retry', async () => {
    rds.throttle(1);
    await expect(core({ action: 'create', scheduledAt: SUNDAY }, deps)).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(rds.snapshots(WEST)).toEqual([]);
  });

  it('names every bad field of a malformed event and makes no RDS call', async () => {
    await expect(core({ action: 'create', scheduledAt: '2026-11-29 02:00', tier: 'hourly' }, deps)).rejects.toMatchObject({
      name: 'ValidationError',
      problems: ['scheduledAt: "2026-11-29 02:00" is not an ISO-8601 time with a zone', 'tier: "hourly" is not one of daily, weekly, monthly, yearly'],
    });
    await expect(core('not an object', deps)).rejects.toMatchObject({ problems: ['event: must be a JSON object, got string', 'action: required, one of plan, create, check, copy, record'] });
    expect(rds.calls()).toEqual([]);
  });
});

describe('snapshot λ: check (bounded poll)', () => {
  it('reports progress until the snapshot is available', async () => {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    const first = await core({ action: 'check', region: 'primary', snapshotId: 'swifteats-weekly-202611290200', attempt: 0, maxAttempts: 10 }, deps);
    expect(first).toMatchObject({ status: 'creating', ready: false, attempt: 1 });
    clock.advance(300_000);
    const second = await core({ action: 'check', region: 'primary', snapshotId: 'swifteats-weekly-202611290200', attempt: 1, maxAttempts: 10 }, deps);
    expect(second).toMatchObject({ status: 'available', ready: true, attempt: 2, percentProgress: 100 });
  });

  it('times out with WaitTimeoutError when a snapshot stays creating', async () => {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    await expect(core({ action: 'check', region: 'primary', snapshotId: 'swifteats-weekly-202611290200', attempt: 9, maxAttempts: 10 }, deps)).rejects.toMatchObject({
      name: 'WaitTimeoutError',
      message: 'snapshot swifteats-weekly-202611290200 in eu-west-1 still creating (0%) after 10 polls',
    });
  });

  it('fails with SnapshotNotFoundError when someone deletes the snapshot mid-run', async () => {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    clock.advance(300_000);
    await deps.primary.deleteSnapshot('swifteats-weekly-202611290200');
    clock.advance(60_000);
    await expect(core({ action: 'check', region: 'primary', snapshotId: 'swifteats-weekly-202611290200', attempt: 0, maxAttempts: 10 }, deps)).rejects.toMatchObject({ name: 'SnapshotNotFoundError' });
  });

  it('fails with SnapshotFailedError on a failed snapshot', async () => {
    rds.addSnapshot({ id: 'swifteats-daily-202611280200', region: WEST, instanceId: 'swifteats', status: 'failed' });
    await expect(core({ action: 'check', region: 'primary', snapshotId: 'swifteats-daily-202611280200', attempt: 0, maxAttempts: 10 }, deps)).rejects.toMatchObject({
      name: 'SnapshotFailedError',
      message: 'snapshot swifteats-daily-202611280200 in eu-west-1 is failed',
    });
  });
});

describe('snapshot λ: copy to the DR region', () => {
  async function availableSnapshot(): Promise<void> {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    clock.advance(300_000);
  }

  it('copies with the DR key and the managed tags, once', async () => {
    await availableSnapshot();
    const first = await core({ action: 'copy', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    const again = await core({ action: 'copy', snapshotId: 'swifteats-weekly-202611290200' }, deps);
    expect(first).toEqual({ copyId: 'swifteats-weekly-202611290200', copyArn: rds.snapshotArn(CENTRAL, 'swifteats-weekly-202611290200'), region: CENTRAL, status: 'copying', created: true });
    expect(again).toMatchObject({ created: false });
    expect(rds.calls({ command: 'CopyDBSnapshot' }).map((c) => [c.region, c.input.SourceDBSnapshotIdentifier, c.input.KmsKeyId])).toEqual([
      [CENTRAL, rds.snapshotArn(WEST, 'swifteats-weekly-202611290200'), 'alias/swifteats-dr'],
    ]);
    expect(tagsOf(CENTRAL, 'swifteats-weekly-202611290200')).toEqual({
      'dr:managed': 'true',
      'dr:tier': 'weekly',
      'dr:policy': 'swifteats-gfs',
      'dr:database': 'swifteats',
      'dr:copy-of': rds.snapshotArn(WEST, 'swifteats-weekly-202611290200'),
    });
  });

  it('fails with KmsKeyNotAccessibleError when the DR key cannot be used, and leaves no copy', async () => {
    await availableSnapshot();
    rds.markKeyInaccessible('alias/swifteats-dr');
    await expect(core({ action: 'copy', snapshotId: 'swifteats-weekly-202611290200' }, deps)).rejects.toMatchObject({ name: 'KmsKeyNotAccessibleError' });
    expect(rds.snapshots(CENTRAL)).toEqual([]);
  });

  it('refuses to copy a snapshot that is not available yet', async () => {
    await core({ action: 'create', scheduledAt: SUNDAY }, deps);
    await expect(core({ action: 'copy', snapshotId: 'swifteats-weekly-202611290200' }, deps)).rejects.toMatchObject({
      name: 'SnapshotFailedError',
      message: 'snapshot swifteats-weekly-202611290200 is creating; only an available snapshot can be copied',
    });
  });
});

describe('snapshot λ: record', () => {
  it('writes one audit record with the measured duration', async () => {
    clock.advance(1_795_000);
    const result = await core({ action: 'record', outcome: 'succeeded', startedAt: '2026-11-29T02:00:05Z', snapshotId: 'swifteats-weekly-202611290200', executionArn: 'arn:exec:1' }, deps);
    expect(result).toMatchObject({ outcome: 'succeeded', durationSeconds: 1795 });
    expect(archive.json('audit/swifteats/2026/11/29/')).toEqual([
      {
        formatVersion: 1,
        action: 'backup.run',
        database: 'swifteats',
        resource: 'swifteats-weekly-202611290200',
        at: '2026-11-29T02:30:00.000Z',
        executionArn: 'arn:exec:1',
        result: 'succeeded',
        details: { startedAt: '2026-11-29T02:00:05.000Z', durationSeconds: 1795 },
        documents: [],
      },
    ]);
  });
});

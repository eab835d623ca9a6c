import { describe, expect, it } from 'vitest';
import { checkRestored, selectSnapshot, temporaryId } from '../../functions/domain/verification/restore-test.ts';
import type { Snapshot } from '../../functions/ports/database-control-plane.ts';
import type { RestoreControlPlane, RestoredDatabase } from '../../functions/ports/restore-control-plane.ts';

/**
 * A restored Multi-AZ DB cluster as RDS reports it over time: available without a secret of
 * its own (cluster restores cannot ask for one), `modifying` after ModifyDBCluster turns on
 * ManageMasterUserPassword, then available with the new secret.
 */
class ClusterRestores implements Pick<RestoreControlPlane, 'describe' | 'ensureOwnSecret'> {
  state: RestoredDatabase = { identifier: 'swifteats-vfy-d202611280200', arn: 'arn:cluster', status: 'available', endpoint: 'writer.example', port: 5432, secretArn: null, createdAt: new Date('2026-11-29T06:00:00Z'), tags: {} };
  modifications: string[] = [];

  async describe(): Promise<RestoredDatabase> {
    return this.state;
  }

  async ensureOwnSecret(identifier: string, kmsKeyId: string): Promise<boolean> {
    if (this.state.secretArn !== null || this.state.status !== 'available') return false;
    this.modifications.push(`${identifier} ManageMasterUserPassword with ${kmsKeyId}`);
    this.state = { ...this.state, status: 'modifying' };
    return true;
  }
}

describe('checkRestored', () => {
  it('never reports a restored cluster ready on the source password: it asks RDS for a secret of its own first', async () => {
    // Prepare
    const restores = new ClusterRestores();
    const port = restores as unknown as RestoreControlPlane;
    // Act: available but without its own secret.
    const first = await checkRestored(port, restores.state.identifier, 0, 10, new Date('2026-11-29T06:20:00Z'), 'key-arn');
    const second = await checkRestored(port, restores.state.identifier, 1, 10, new Date('2026-11-29T06:21:00Z'), 'key-arn');
    restores.state = { ...restores.state, status: 'available', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1' };
    const third = await checkRestored(port, restores.state.identifier, 2, 10, new Date('2026-11-29T06:25:00Z'), 'key-arn');
    // Assess
    expect([first.ready, first.status, second.ready, second.status, third.ready]).toEqual([false, 'modifying', false, 'modifying', true]);
    expect(restores.modifications).toEqual(['swifteats-vfy-d202611280200 ManageMasterUserPassword with key-arn']);
    expect(third).toMatchObject({ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1', elapsedSeconds: 1500, attempt: 3 });
  });
});

describe('temporaryId and selectSnapshot', () => {
  it('derives a stable temporary id and refuses ids that are not managed snapshot ids', () => {
    expect(temporaryId('swifteats', 'swifteats-monthly-202612010200')).toBe('swifteats-vfy-m202612010200');
    expect(() => temporaryId('swifteats', 'manual-before-upgrade')).toThrow('snapshotId: "manual-before-upgrade" is not a managed snapshot id <db>-<tier>-<yyyymmddHHMM>');
  });

  it('prefers the newest available unverified managed snapshot', () => {
    const snap = (id: string, created: string, tags: Record<string, string>, status = 'available'): Snapshot => ({
      id, arn: `arn:${id}`, databaseId: 'swifteats', status, type: 'manual', createdAt: new Date(created), percentProgress: 100, encrypted: true, kmsKeyId: null, tags,
    });
    const managed = { 'dr:managed': 'true' };
    const snapshots = [
      snap('a', '2026-11-26T02:00:00Z', managed),
      snap('b', '2026-11-27T02:00:00Z', { ...managed, 'dr:verified': 'failed' }),
      snap('c', '2026-11-28T02:00:00Z', managed, 'creating'),
      snap('d', '2026-11-28T03:00:00Z', {}),
    ];
    expect(selectSnapshot(snapshots, undefined)?.id).toBe('a');
  });
});

/**
 * What the RDS adapters of both topologies share: the call wrapper that translates RDS faults
 * (through the one table in ../sdk-errors.ts), tag lists, and the two control-plane calls that do
 * not depend on the topology (tagging a resource, reading the account's snapshot quota).
 */
import { AddTagsToResourceCommand, DescribeAccountAttributesCommand, type RDSClient, type Tag } from '@aws-sdk/client-rds';
import type { SnapshotQuota } from '../../ports/database-control-plane.ts';
import { DrError } from '../../shared/errors.ts';
import { send } from '../sdk-errors.ts';

/** Runs one RDS call, translating its failure into a typed error (an RDS fault the table does not name passes unchanged). */
export async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  return send({ service: 'rds', action }, fn);
}

/** An RDS tag list as a key-value record. */
export function tagsOf(list: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of list ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

/** A key-value record as an RDS tag list. */
export function tagList(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** AddTagsToResource on a snapshot or database of either topology. */
export async function addTags(rds: RDSClient, arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
  await call('AddTagsToResource', () => rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: tagList(tags) })));
}

/**
 * One manual-snapshot quota of the account in the client's region: `quotaName` is the
 * `AccountQuotaName` of the topology's manual snapshots, `ManualSnapshots` (DB instance snapshots)
 * or `ManualClusterSnapshots` (RDS API reference, AccountQuota data type).
 */
export async function manualSnapshotQuota(rds: RDSClient, quotaName: 'ManualSnapshots' | 'ManualClusterSnapshots'): Promise<SnapshotQuota> {
  const out = await call('DescribeAccountAttributes', () => rds.send(new DescribeAccountAttributesCommand({})));
  const quota = out.AccountQuotas?.find((q) => q.AccountQuotaName === quotaName);
  if (quota?.Used === undefined || quota.Max === undefined) {
    throw new DrError(`DescribeAccountAttributes returned no ${quotaName} quota`);
  }
  return { used: quota.Used, max: quota.Max };
}

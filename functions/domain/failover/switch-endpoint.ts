/**
 * The endpoint use cases, step 6 of statemachines/failover.asl.json, over ports only: point the
 * writer record (Route 53) and the connection secret (Secrets Manager) at the new writer, follow the
 * DNS change, and roll the switch back after a failure.
 *
 * The switch changes only what does not already point at the new writer, and re-asserts the lock
 * first. Its rollback restores only what still holds the switch's value, under the lock, and only
 * where the old writer is still the writer (az, observe): after a promotion (region) traffic never
 * goes back to the old writer.
 */
import { createHash } from 'node:crypto';
import type { ChangeStatus, ConnectionSettings, WriterRecord } from '../../ports/endpoint-switch.ts';
import { FailoverLockLostError, WaitTimeoutError } from '../../shared/errors.ts';
import type { FailoverPorts, FailoverSettings } from './dependencies.ts';
import { rollbackPlan, switchPlan } from './endpoint.ts';
import { lockKey } from './lock.ts';
import type { EndpointValues, FailoverRequest, PrecheckResult, RollbackResult, SwitchResult, SwitchStatus } from './model.ts';

/** A deterministic idempotency token (Secrets Manager ClientRequestToken: 32-64 characters). */
export function requestToken(owner: string, step: string): string {
  const hex = createHash('sha256').update(`${owner}#${step}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Points the writer record and the connection secret at the new writer, each only if it does not
 * already: the record first (what applications resolve), then the secret.
 */
export async function switchEndpoint(ports: FailoverPorts, settings: FailoverSettings, request: FailoverRequest, precheck: PrecheckResult, owner: string): Promise<SwitchResult> {
  const plan = switchPlan({ record: precheck.recordBefore, secretHost: precheck.secretHostBefore }, precheck.targetHost);
  const result = (changeId: string | null): SwitchResult => ({ plan, changeId, targetHost: precheck.targetHost, dryRun: request.dryRun, at: ports.now().toISOString() });
  if (request.dryRun || (!plan.record && !plan.secret)) return result(null);
  await ports.lock.markStep(lockKey(settings.database), owner, 'switch', ports.now());
  let changeId: string | null = null;
  if (plan.record) changeId = await ports.dns.upsert(precheck.targetHost, settings.recordTtlSeconds, `${request.mode} failover by ${owner}`);
  if (plan.secret) await ports.secret.write({ host: precheck.targetHost, port: precheck.targetPort }, requestToken(owner, 'switch'));
  return result(changeId);
}

/**
 * One bounded poll of the DNS change.
 *
 * @throws WaitTimeoutError when the last allowed poll still finds it PENDING
 */
export async function switchStatus(ports: FailoverPorts, changeId: string | null, attempt: number, maxAttempts: number): Promise<SwitchStatus> {
  const status: ChangeStatus = changeId === null ? 'INSYNC' : await ports.dns.changeStatus(changeId);
  const made = attempt + 1;
  if (status !== 'INSYNC' && made >= maxAttempts) throw new WaitTimeoutError(`DNS change ${changeId ?? ''} still ${status} after ${made} polls`);
  return { insync: status === 'INSYNC', attempt: made, at: ports.now().toISOString() };
}

/**
 * Handles a failure after the switch (the switch itself, the DNS wait, the verification).
 *
 * 1. The failure is FailoverLockLostError: another execution may be acting; write nothing.
 * 2. Region mode: the switch runs only after the promotion was requested, so the replica is (or is
 *    becoming) a writer of its own. Pointing traffic back at the old writer would be an outage if it
 *    was fenced, and split-brain if it was not and its region returns: keep the endpoint as it is
 *    and report it; the notification says the old writer must stay fenced and out of service.
 * 3. Otherwise (az, observe: the old and the new writer are one RDS endpoint) re-assert the lock
 *    (mark `rollback`; FailoverLockLostError skips as in 1), then restore each place still holding
 *    the switch's value to its value before the switch.
 *
 * Neither the promotion nor the fence is undone: a promoted replica cannot be demoted, and opening
 * the old writer again is a decision for an operator (runbook, "Fail back").
 *
 * @param failure the name of the error that led here, or null
 */
export async function rollBackSwitch(
  ports: FailoverPorts,
  settings: FailoverSettings,
  request: FailoverRequest,
  precheck: PrecheckResult,
  owner: string,
  failure: string | null,
): Promise<RollbackResult> {
  const at = (): string => ports.now().toISOString();
  const skipped = (why: string): RollbackResult => ({ verdict: 'skipped', plan: null, restored: [], found: null, detail: `${why}; the endpoint is left as it is`, at: at() });
  // The literal, not FailoverLockLostError.name: the bundles are minified and rename classes.
  if (failure === 'FailoverLockLostError') return skipped('the run lost its failover lock (another execution may be acting): not rolling back');
  const read = async (): Promise<{ record: WriterRecord | null; found: EndpointValues }> => {
    const [record, secret] = await Promise.all([ports.dns.read(), ports.secret.read()]);
    return { record, found: { record: record?.value ?? null, secretHost: secret?.host ?? null } };
  };
  if (request.mode === 'region') {
    const { found } = await read();
    return {
      verdict: 'kept-new-writer',
      plan: null,
      restored: [],
      found,
      detail: `${precheck.targetId} was promoted: traffic is not pointed back at the old writer ${settings.database}, which must stay fenced and out of service`,
      at: at(),
    };
  }
  try {
    await ports.lock.markStep(lockKey(settings.database), owner, 'rollback', ports.now());
  } catch (error) {
    if (error instanceof FailoverLockLostError) return skipped(error.message);
    throw error;
  }
  const { record, found } = await read();
  const plan = rollbackPlan({ record: precheck.recordBefore, secretHost: precheck.secretHostBefore }, precheck.targetHost, found);
  const restored: ('record' | 'secret')[] = [];
  if (plan.record === 'restore') {
    await ports.dns.upsert(precheck.recordBefore, record?.ttlSeconds ?? settings.recordTtlSeconds, `rollback of the failover by ${owner}`);
    restored.push('record');
  }
  if (plan.secret === 'restore') {
    const before: ConnectionSettings = { host: precheck.secretHostBefore, port: precheck.secretPortBefore };
    await ports.secret.write(before, requestToken(owner, 'rollback'));
    restored.push('secret');
  }
  return { verdict: 'rolled-back', plan, restored, found, detail: `record ${plan.record}, secret ${plan.secret}`, at: at() };
}

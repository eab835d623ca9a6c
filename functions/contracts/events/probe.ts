/** The probe λ's event: its modes and targets. */
import { optional } from 'valibot';
import { fieldsOf, oneOf } from '../schema.ts';
import { ValidationError } from '../../shared/errors.ts';
import { executionArn, readEvent } from './read.ts';

/** Why the probe runs; decides what it measures and whether it publishes. */
export type ProbeMode = 'monitor' | 'confirm' | 'post-check';
/** Which configured endpoint is probed as the writer. */
export type ProbeTarget = 'writer' | 'replica';
/** The modes, in the order error messages list them. */
export const PROBE_MODES: readonly ProbeMode[] = ['monitor', 'confirm', 'post-check'];
/** The targets. */
export const TARGETS: readonly ProbeTarget[] = ['writer', 'replica'];

/** The probe λ: a mode, the target (the writer unless named); `executionArn` is checked only (a log key). */
export const PROBE_EVENT = fieldsOf({ mode: oneOf(PROBE_MODES), target: optional(oneOf(TARGETS), 'writer'), executionArn: executionArn() });

/** What a probe event may not ask although each field is valid: the replica in monitor mode, or a replica that is not configured. */
export function probeTargetProblems(mode: ProbeMode, target: ProbeTarget, hasReplica: boolean): string[] {
  const problems: string[] = [];
  if (target === 'replica' && mode === 'monitor') problems.push('target: "replica" is only for modes confirm and post-check; monitor probes the writer');
  if (target === 'replica' && !hasReplica) problems.push('target: "replica", but no replica is configured (REPLICA_HOST=none)');
  return problems;
}

/**
 * Reads the probe's event: each field, then what they may not ask together.
 * @throws ValidationError naming every problem; nothing has been probed at that point
 */
export function readProbeEvent(event: unknown, hasReplica: boolean): { mode: ProbeMode; target: ProbeTarget } {
  const { mode, target } = readEvent(PROBE_EVENT, event);
  const problems = probeTargetProblems(mode, target, hasReplica);
  if (problems.length > 0) throw new ValidationError(problems);
  return { mode, target };
}

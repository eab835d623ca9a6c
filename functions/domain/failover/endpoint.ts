/**
 * Switching the writer endpoint and rolling the switch back. Pure plans: which of the two places
 * (DNS record, connection secret) to change, and, after a failure, which to restore without
 * overwriting a change someone else made in the meantime.
 */
import type { EndpointValues, RollbackAction, RollbackPlan, SwitchPlan } from './model.ts';
import { sameHost } from './rules.ts';

/** Changes only what does not already point at the target: an AZ failover keeps the endpoint, so it changes nothing. */
export function switchPlan(current: EndpointValues, targetHost: string): SwitchPlan {
  return { record: !sameHost(current.record, targetHost), secret: !sameHost(current.secretHost, targetHost) };
}

function one(before: string | null, applied: string, current: string | null): RollbackAction {
  if (sameHost(current, before) || sameHost(before, applied)) return 'keep';
  if (sameHost(current, applied)) return 'restore';
  return 'conflict';
}

/**
 * Per place: `restore` when it still holds what the switch wrote (compare-and-restore), `keep` when
 * it still holds (or is back at) the value before the switch, `conflict` when it holds a third value:
 * someone changed it after the switch, and the rollback must not undo their change.
 */
export function rollbackPlan(before: EndpointValues, appliedHost: string, current: EndpointValues): RollbackPlan {
  return { record: one(before.record, appliedHost, current.record), secret: one(before.secretHost, appliedHost, current.secretHost) };
}

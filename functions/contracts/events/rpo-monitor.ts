/** The RPO monitor's event. */
import { optional } from 'valibot';
import { fieldsOf, instantWithZone } from '../schema.ts';

/** The RPO monitor: `scheduledAt` (EventBridge Scheduler's time) is checked only (a log key). */
export const RPO_MONITOR_EVENT = fieldsOf({ scheduledAt: optional(instantWithZone()) });

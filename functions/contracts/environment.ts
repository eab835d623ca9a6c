/**
 * Each function's environment, declared once (one module per function under `env/`, so a bundle
 * carries only its own function's contract): the handler reads it with `parseEnv`, infra checks what
 * it writes against it at synth (`DrFunction`, through {@link ENV_CONTRACTS}), and the tests read both.
 *
 * Keyed by the handler's name as infra names it (`DrFunctionProps.handler`). Handlers import their
 * own module, never this index.
 */
import type { ContractField, EnvContract } from './env-schema.ts';
import { FAILOVER_ENV } from './env/failover.ts';
import { MANIFEST_ENV } from './env/manifest.ts';
import { PROBE_ENV } from './env/probe.ts';
import { RESTORE_ENV } from './env/restore.ts';
import { RETENTION_ENV } from './env/retention.ts';
import { RPO_MONITOR_ENV } from './env/rpo-monitor.ts';
import { SNAPSHOT_ENV } from './env/snapshot.ts';
import { VERIFY_ENV } from './env/verify.ts';

export { TLS_MODES, TOPOLOGIES } from './env/common.ts';
export { FAILOVER_ENV, MANIFEST_ENV, PROBE_ENV, RESTORE_ENV, RETENTION_ENV, RPO_MONITOR_ENV, SNAPSHOT_ENV, VERIFY_ENV };

/** Every function's contract, by the handler name infra gives `DrFunction`. */
export const ENV_CONTRACTS: Readonly<Record<string, EnvContract<Record<string, ContractField>>>> = {
  snapshot: SNAPSHOT_ENV,
  manifest: MANIFEST_ENV,
  verify: VERIFY_ENV,
  restore: RESTORE_ENV,
  retention: RETENTION_ENV,
  'rpo-monitor': RPO_MONITOR_ENV,
  probe: PROBE_ENV,
  failover: FAILOVER_ENV,
} as never;

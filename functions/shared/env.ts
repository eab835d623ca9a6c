import { ConfigurationError } from './errors.ts';

/**
 * Reads required environment variables (the functions read theirs through their contracts in
 * functions/contracts/environment.ts; this stays for adapters that take a few by name). A missing or empty one fails
 * the cold start naming every missing variable: no placeholder defaults, so a
 * misdeployed function never acts on a made-up value.
 */
export function requireEnv<const K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) throw new ConfigurationError(`missing environment variable(s): ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

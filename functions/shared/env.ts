import { ConfigurationError } from './errors.ts';

/**
 * Reads required environment variables at module load. A missing or empty one fails
 * the cold start naming every missing variable: no placeholder defaults, so a
 * misdeployed function never acts on a made-up value.
 */
export function requireEnv<const K extends string>(names: readonly K[], env: NodeJS.ProcessEnv = process.env): Record<K, string> {
  const missing = names.filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) throw new ConfigurationError(`missing environment variable(s): ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<K, string>;
}

/** Deployment topologies a handler accepts in `TOPOLOGY`. */
export type EnvTopology = 'multi-az-instance' | 'multi-az-cluster';

/**
 * `TOPOLOGY` checked: records a problem naming the variable (and returns the instance
 * topology so the caller can go on collecting problems) when it is neither.
 */
export function envTopology(value: string | undefined, problems: string[]): EnvTopology {
  if (value === 'multi-az-instance' || value === 'multi-az-cluster') return value;
  problems.push(`TOPOLOGY: ${JSON.stringify(value)} is not multi-az-instance or multi-az-cluster`);
  return 'multi-az-instance';
}

/** An integer environment variable in [min, max]: a problem naming the variable otherwise. */
export function envInteger(value: string | undefined, name: string, min: number, max: number, problems: string[]): number {
  const parsed = value !== undefined && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name}: ${JSON.stringify(value)} is not an integer from ${min} to ${max}`);
    return min;
  }
  return parsed;
}

/** Throws one ConfigurationError listing every problem found at cold start. */
export function failOnProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
}

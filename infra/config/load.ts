import { readFileSync } from 'node:fs';
import { isPlainObject } from '../../functions/contracts/schema.ts';
import { applyDefaults } from './defaults.ts';
import type { DrConfig, DrConfigInput } from './types.ts';
import { unknownKeys, validateConfig } from './validate.ts';

/** The configuration is invalid; `problems` lists each one with its field path. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`Invalid configuration ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((x) => `  - ${x}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Turns raw input into a complete, valid configuration, or throws one
 * {@link ConfigError} listing every problem (unknown keys included).
 */
export function resolveConfig(input: unknown, source = '(inline)'): DrConfig {
  if (!isPlainObject(input)) throw new ConfigError(source, ['(root): must be a JSON object']);
  const problems = unknownKeys(input);
  const config = applyDefaults(input as DrConfigInput);
  problems.push(...validateConfig(config));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

/** Reads a JSON configuration file and resolves it. */
export function loadConfigFile(path: string): DrConfig {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`(file): cannot read: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(path, [`(file): not valid JSON: ${(error as Error).message}`]);
  }
  return resolveConfig(parsed, path);
}

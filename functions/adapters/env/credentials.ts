/**
 * {@link CredentialsProvider} reading the login from environment variables: for local runs and
 * tests, where the database is a local server and there is no secret to fetch. Deployed functions
 * read the Secrets Manager secret instead (adapters/secrets), so no password sits in a Lambda's
 * configuration.
 */
import type { CredentialsProvider, DatabaseCredentials } from '../../ports/database-credentials.ts';
import { requireEnv } from '../../shared/env.ts';

/** Credentials from `DB_USER` and `DB_PASSWORD`. */
export class EnvironmentCredentials implements CredentialsProvider {
  readonly #env: NodeJS.ProcessEnv;

  /** @param env where to read the variables @default process.env */
  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  /** Reads the variables on every call; a missing one throws ConfigurationError naming it, never a made-up login. */
  async get(): Promise<DatabaseCredentials> {
    const values = requireEnv(['DB_USER', 'DB_PASSWORD'], this.#env);
    return { username: values.DB_USER, password: values.DB_PASSWORD };
  }
}

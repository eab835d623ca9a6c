import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CredentialsProvider, DatabaseCredentials } from '../../ports/database-credentials.ts';
import { ConfigurationError, ThrottledError } from '../../shared/errors.ts';
import { translate } from '../sdk-errors.ts';

/**
 * Credentials from a Secrets Manager secret holding JSON with `username` and `password`
 * (the shape of the RDS-managed master secret). Read on every call: RDS rotates the
 * managed secret, and a cached password would fail after a rotation.
 */
export class SecretsManagerCredentials implements CredentialsProvider {
  readonly #client: SecretsManagerClient;
  readonly #secretId: string;

  constructor(client: SecretsManagerClient, secretId: string) {
    this.#client = client;
    this.#secretId = secretId;
  }

  async get(): Promise<DatabaseCredentials> {
    let text: string | undefined;
    try {
      text = (await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }))).SecretString;
    } catch (error) {
      throw translate(error, { service: 'secretsmanager', action: 'GetSecretValue', message: (typed, e) => (typed === ThrottledError ? `GetSecretValue: ${e.name}` : undefined) });
    }
    let parsed: unknown = null;
    try {
      parsed = text === undefined ? null : JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the text it could not read: that is the secret, so it is dropped
      // (no cause kept either) and the secret is named by its id only.
      parsed = null;
    }
    const { username, password } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string') {
      // Never include the secret's content in the message.
      throw new ConfigurationError(`secret ${this.#secretId} does not hold JSON with string fields username and password`);
    }
    return { username, password };
  }
}

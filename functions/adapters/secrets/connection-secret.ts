/**
 * The {@link ConnectionSecret} port on a Secrets Manager secret of this system's own: JSON with
 * `host` and `port` (and whatever else applications keep there, preserved). Never the RDS-managed
 * master secret: RDS owns that one, rotates it, and holds no host in it (docs/decisions.md).
 *
 * Writes are PutSecretValue with a ClientRequestToken: "If a version with this value already exists
 * and the version SecretString ... values are the same as those in the request, then the request is
 * ignored" (Secrets Manager API reference, PutSecretValue), which makes a retried write harmless.
 */
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ConnectionSecret, ConnectionSettings } from '../../ports/endpoint-switch.ts';
import { EndpointSwitchError } from '../../shared/errors.ts';
import { send } from '../sdk-errors.ts';

/** The connection secret. */
export class SecretsManagerConnectionSecret implements ConnectionSecret {
  readonly #client: SecretsManagerClient;
  readonly #secretId: string;

  constructor(client: SecretsManagerClient, secretId: string) {
    this.#client = client;
    this.#secretId = secretId;
  }

  /**
   * Throttling and Secrets Manager's internal error are ThrottledError; every other failure
   * (ResourceNotFoundException, ResourceExistsException: the token reused with another value,
   * InvalidRequestException: the secret scheduled for deletion, DecryptionFailure, AccessDenied)
   * means the endpoint cannot be switched as planned: EndpointSwitchError.
   */
  #send<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return send({ service: 'secretsmanager', action: `${action} ${this.#secretId}`, otherwise: EndpointSwitchError }, fn);
  }

  async #fields(): Promise<Record<string, unknown>> {
    const out = await this.#send('GetSecretValue', () => this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId })));
    let parsed: unknown = null;
    try {
      parsed = out.SecretString === undefined ? null : JSON.parse(out.SecretString);
    } catch {
      parsed = null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EndpointSwitchError(`the connection secret ${this.#secretId} does not hold a JSON object`);
    return parsed as Record<string, unknown>;
  }

  async read(): Promise<ConnectionSettings | null> {
    const fields = await this.#fields();
    const host = fields['host'];
    const port = typeof fields['port'] === 'string' ? Number(fields['port']) : fields['port'];
    if (typeof host !== 'string' || host === '') return null;
    return { host, port: typeof port === 'number' && Number.isInteger(port) ? port : 0 };
  }

  async write(settings: ConnectionSettings, token: string): Promise<void> {
    const fields = await this.#fields();
    const value = JSON.stringify({ ...fields, host: settings.host, port: settings.port });
    await this.#send('PutSecretValue', () => this.#client.send(new PutSecretValueCommand({ SecretId: this.#secretId, SecretString: value, ClientRequestToken: token })));
  }
}

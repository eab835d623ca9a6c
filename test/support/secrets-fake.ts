/**
 * A stateful Secrets Manager fake: secrets with versions and staging labels, GetSecretValue and
 * PutSecretValue (Secrets Manager API reference):
 * - a secret is named by its ARN or its name; an unknown one is ResourceNotFoundException
 *   ("Secrets Manager can't find the specified secret.");
 * - PutSecretValue creates a version labelled AWSCURRENT and moves AWSPREVIOUS to the version that
 *   was current; with a ClientRequestToken that names an existing version, the same value is
 *   ignored and a different value is ResourceExistsException; a token must be 32-64 characters;
 * - a secret owned by another service (its name starts with `rds!`, as RDS names the master user
 *   secrets it manages) refuses PutSecretValue, as "secrets managed by other services" are updated
 *   through that service (Secrets Manager User Guide, "Secrets managed by other AWS services").
 */
import {
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

interface Version {
  readonly id: string;
  readonly value: string;
  stages: string[];
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly versions: Version[];
}

/** Secrets Manager's throttling error (`ThrottlingException`, a common error the SDK does not model). */
export function secretsThrottling(): SecretsManagerServiceException {
  return new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: metadata(400) });
}

/** The Secrets Manager fake. */
export class SecretsFake extends AwsFake<SecretsManagerClient> {
  readonly #secrets: Secret[] = [];
  #versionCounter = 0;

  constructor(clock: FakeClock) {
    super({ clock, source: 'test/support/secrets-fake.ts', client: SecretsManagerClient, operations: ['GetSecretValue', 'PutSecretValue'], mutating: ['PutSecretValue', 'UpdateSecret'], throttlingError: secretsThrottling });
  }


  /** Adds a secret with its first version; returns its ARN. */
  addSecret(name: string, value: string, region = 'eu-west-1'): string {
    const arn = `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-AbCdEf`;
    this.#secrets.push({ arn, name, versions: [{ id: this.#nextVersion(), value, stages: ['AWSCURRENT'] }] });
    return arn;
  }

  /** The current value of a secret (by ARN or name). */
  current(id: string): string | undefined {
    return this.#secrets.find((s) => s.arn === id || s.name === id)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.value;
  }

  /** How many versions a secret has. */
  versionCount(id: string): number {
    return this.#secrets.find((s) => s.arn === id || s.name === id)?.versions.length ?? 0;
  }

  #nextVersion(): string {
    this.#versionCounter += 1;
    return `00000000-0000-4000-8000-${String(this.#versionCounter).padStart(12, '0')}`;
  }

  #secret(id: unknown): Secret {
    const secret = this.#secrets.find((s) => s.arn === id || s.name === id);
    if (!secret) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: metadata(400) });
    return secret;
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    const secret = this.#secret(input['SecretId']);
    if (command === 'GetSecretValue') {
      const version = secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
      return { ARN: secret.arn, Name: secret.name, VersionId: version?.id, SecretString: version?.value, VersionStages: version?.stages };
    }
    if (command === 'PutSecretValue') {
      if (secret.name.startsWith('rds!')) throw new InvalidRequestException({ message: 'You can\'t modify a secret that is managed by another service (rds).', $metadata: metadata(400) });
      const value = input['SecretString'];
      if (typeof value !== 'string') throw new InvalidParameterException({ message: 'You must provide either SecretString or SecretBinary.', $metadata: metadata(400) });
      const token = input['ClientRequestToken'];
      if (typeof token === 'string' && (token.length < 32 || token.length > 64)) throw new InvalidParameterException({ message: 'ClientRequestToken must be 32-64 characters.', $metadata: metadata(400) });
      const existing = typeof token === 'string' ? secret.versions.find((v) => v.id === token) : undefined;
      if (existing) {
        if (existing.value !== value) throw new ResourceExistsException({ message: "You can't modify an existing version, you can only create a new version.", $metadata: metadata(400) });
        return { ARN: secret.arn, Name: secret.name, VersionId: existing.id, VersionStages: existing.stages };
      }
      for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
      const current = secret.versions.find((v) => v.stages.includes('AWSCURRENT'));
      if (current) current.stages = [...current.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
      const version: Version = { id: typeof token === 'string' ? token : this.#nextVersion(), value, stages: ['AWSCURRENT'] };
      secret.versions.push(version);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    }
    throw new Error(`SecretsFake does not implement ${command}`);
  }
}

/**
 * The authorizations of {@link SecretsManagerCredentials} (secrets-manager.ts). Test-only: see
 * ../shared.permissions.ts.
 */
import type { Topology } from '../../ports/database-control-plane.ts';
import { viaService, type AwsAuthorization, type AwsLocation } from '../shared.permissions.ts';

/** A secret as IAM sees it: its ARN, its tags and the key that encrypts it. */
export interface SecretFacts {
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly keyArn: string;
}

/**
 * The tags RDS puts on the master secret it manages: `aws:rds:primaryDBInstanceArn` for a DB
 * instance, `aws:rds:primaryDBClusterArn` for a Multi-AZ DB cluster (RDS User Guide, "Viewing
 * the details about a secret for a DB instance" / "… for a Multi-AZ DB cluster").
 */
export function rdsManagedSecretTags(topology: Topology, databaseArn: string): Record<string, string> {
  return topology === 'multi-az-cluster' ? { 'aws:rds:primaryDBClusterArn': databaseArn } : { 'aws:rds:primaryDBInstanceArn': databaseArn };
}

/** `get()`: GetSecretValue, and the secret's key through Secrets Manager. */
export function credentialsPermissions(at: AwsLocation, secret: SecretFacts): { get: () => AwsAuthorization[] } {
  return {
    get: () => [
      { command: 'GetSecretValueCommand', action: 'secretsmanager:GetSecretValue', resource: secret.arn, resourceTags: secret.tags },
      { command: 'GetSecretValueCommand', action: 'kms:Decrypt', resource: secret.keyArn, context: viaService('secretsmanager', at.region), why: 'Secrets Manager decrypts the secret with its key' },
    ],
  };
}

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { drKeyAlias } from '../config/resolve.ts';

/** Props of {@link DrRegionKey}. */
export interface DrRegionKeyProps {
  /** The protected database's name: alias `alias/<db>-dr` (the primary region refers to the key by it). */
  readonly databaseName: string;
}

/**
 * The DR region's key: it encrypts snapshot copies, replicated automated backups and a cross-region
 * replica there (a key is regional, so a copy in the DR region cannot use the primary's key). RDS
 * uses it on the caller's behalf through grants, and only RDS may.
 *
 * Adds its key to `scope` itself as `DrKey` (see grants.ts: the logical ids stay those of the deployed stack).
 */
export class DrRegionKey {
  readonly key: kms.Key;

  constructor(scope: Construct, props: DrRegionKeyProps) {
    const name = props.databaseName;
    this.key = new kms.Key(scope, 'DrKey', {
      alias: drKeyAlias(name),
      description: `${name}: snapshot copies and replicated backups in the DR region`,
      enableKeyRotation: true,
    });
    // RDS uses the key on the caller's behalf through grants; allow that only via RDS.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRdsUseInThisAccount',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `rds.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    );
  }
}

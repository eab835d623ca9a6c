import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { drKeyAlias } from '../config/resolve.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link DrRegionStack}. */
export interface DrRegionStackProps extends StackProps {
  /** The protected database's name: key alias `alias/<db>-dr`, the `dr:database` tag. */
  readonly databaseName: string;
}

/**
 * The DR region's stack: the KMS key that encrypts snapshot copies, replicated
 * automated backups and a cross-region replica there. A key is regional, so a copy
 * in the DR region cannot use the primary's key.
 */
export class DrRegionStack extends Stack {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrRegionStackProps) {
    super(scope, id, props);
    const name = props.databaseName;
    this.key = new kms.Key(this, 'DrKey', {
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
        conditions: { StringEquals: { 'kms:ViaService': `rds.${this.region}.amazonaws.com` } },
      }),
    );
    Tags.of(this).add(TAG.database, name);
    new CfnOutput(this, 'DrKeyArn', { value: this.key.keyArn });
  }
}

import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DrRegionKey } from '../constructs/dr-region-key.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link DrRegionStack}. */
export interface DrRegionStackProps extends StackProps {
  /** The protected database's name: key alias `alias/<db>-dr`, the `dr:database` tag. */
  readonly databaseName: string;
}

/**
 * The DR region's stack: the KMS key that encrypts snapshot copies, replicated
 * automated backups and a cross-region replica there.
 */
export class DrRegionStack extends Stack {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrRegionStackProps) {
    super(scope, id, props);
    this.key = new DrRegionKey(this, { databaseName: props.databaseName }).key;
    Tags.of(this).add(TAG.database, props.databaseName);
    new CfnOutput(this, 'DrKeyArn', { value: this.key.keyArn });
  }
}

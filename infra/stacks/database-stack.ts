import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';
import type { DrConfig } from '../config/types.ts';
import { Archive } from '../constructs/archive.ts';
import { Network } from '../constructs/network.ts';
import { MultiAzClusterDatabase, MultiAzInstanceDatabase, type ProtectedDatabase } from '../constructs/protected-database.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link DatabaseStack}. */
export interface DatabaseStackProps extends StackProps {
  readonly config: DrConfig;
  /**
   * Where RDS replicates the automated backups (and transaction logs) for point-in-time
   * restores in the DR region; null for none.
   * @default null
   */
  readonly backupReplication?: { readonly region: string; readonly kmsKeyArn: string } | null;
}

/**
 * The stateful stack: network, keys, the protected database and the archive bucket. Kept apart from the
 * stateless DR automation so redeploying automation never touches the database.
 */
export class DatabaseStack extends Stack {
  readonly network: Network;
  readonly databaseKey: kms.Key;
  readonly database: ProtectedDatabase;
  readonly archive: Archive;
  /** Security group of temporary restored databases: PostgreSQL from the DR functions only. */
  readonly restoreTestSecurityGroup: ec2.SecurityGroup;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.zones = [...config.availabilityZones];
    acknowledge(
      this,
      'CloudFormation-Validate::W3010',
      'AZ names come from the configuration (availabilityZones) on purpose: the stack must synthesize the same three AZs without an account lookup, and the read replica must land in the third one.',
    );
    this.network = new Network(this, 'Network', { availabilityZones: config.availabilityZones });
    this.databaseKey = new kms.Key(this, 'DatabaseKey', {
      alias: `alias/${config.database.name}-database`,
      description: `${config.database.name}: database storage, snapshots, Performance Insights, master secret`,
      enableKeyRotation: true,
    });
    const databaseProps = {
      config: config.database,
      vpc: this.network.vpc,
      key: this.databaseKey,
      clientSecurityGroup: this.network.functionsSecurityGroup,
      availabilityZones: config.availabilityZones,
    };
    this.database =
      config.database.topology === 'multi-az-cluster'
        ? new MultiAzClusterDatabase(this, 'Database', databaseProps)
        : new MultiAzInstanceDatabase(this, 'Database', { ...databaseProps, backupReplication: props.backupReplication ?? null });

    // Restore tests get their own group so a restored copy is reachable by the verify
    // function and nothing else, whatever the production database's group allows.
    this.restoreTestSecurityGroup = new ec2.SecurityGroup(this, 'RestoreTestSg', {
      vpc: this.network.vpc,
      description: `${config.database.name}: temporary restored databases, reachable from the DR functions only`,
      allowAllOutbound: false,
    });
    this.restoreTestSecurityGroup.addIngressRule(this.network.functionsSecurityGroup, ec2.Port.tcp(config.database.port), 'verify function');
    this.network.functionsSecurityGroup.addEgressRule(this.restoreTestSecurityGroup, ec2.Port.tcp(config.database.port), 'temporary restored databases');

    this.archive = new Archive(this, 'Archive', { databaseName: config.database.name, retentionDays: config.archiveRetentionDays });

    // Only identifying tags here: with copyTagsToSnapshot on, every snapshot (also a
    // person's manual one) inherits them, so `dr:managed` must never be among them —
    // retention may only ever consider snapshots the backup workflow tagged itself.
    Tags.of(this).add(TAG.database, config.database.name);
    Tags.of(this).add('dr:topology', config.database.topology);

    new CfnOutput(this, 'DatabaseIdentifier', { value: this.database.identifier });
    new CfnOutput(this, 'WriterEndpoint', { value: this.database.endpoint });
    new CfnOutput(this, 'MasterSecretArn', { value: this.database.secretArn });
    new CfnOutput(this, 'ArchiveBucket', { value: this.archive.bucket.bucketName });
  }

  /** The configured AZs, also when the stack is synthesized without an account. */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}

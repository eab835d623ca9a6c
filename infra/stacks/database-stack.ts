import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { Deployment } from '../config/resolve.ts';
import { Archive } from '../constructs/archive.ts';
import { acknowledgeConfiguredZones, Network } from '../constructs/network.ts';
import { createDatabaseKey, createProtectedDatabase, type BackupReplication, type ProtectedDatabase } from '../constructs/protected-database.ts';
import { RestoreTestNetwork } from '../constructs/restore-testing.ts';
import { TAG } from '../../functions/domain/snapshots/naming.ts';

/** Props of {@link DatabaseStack}. */
export interface DatabaseStackProps extends StackProps {
  /** The facts resolved from the configuration once (config/resolve.ts). */
  readonly deployment: Pick<Deployment, 'availabilityZones' | 'database' | 'archiveRetentionDays'>;
  /**
   * Where RDS replicates the automated backups (and transaction logs) for point-in-time
   * restores in the DR region; null for none.
   * @default null
   */
  readonly backupReplication?: BackupReplication | null;
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
    const { availabilityZones, database: config, archiveRetentionDays } = props.deployment;
    const databaseName = config.name;
    this.zones = [...availabilityZones];
    acknowledgeConfiguredZones(this);
    this.network = new Network(this, 'Network', { availabilityZones });
    this.databaseKey = createDatabaseKey(this, { databaseName });
    this.database = createProtectedDatabase(this, 'Database', {
      topology: config.topology,
      settings: config,
      vpc: this.network.vpc,
      key: this.databaseKey,
      clientSecurityGroup: this.network.functionsSecurityGroup,
      availabilityZones,
      backupReplication: props.backupReplication,
    });
    this.restoreTestSecurityGroup = new RestoreTestNetwork(this, {
      databaseName,
      vpc: this.network.vpc,
      functionsSecurityGroup: this.network.functionsSecurityGroup,
      port: config.port,
    }).securityGroup;
    this.archive = new Archive(this, 'Archive', { databaseName, retentionDays: archiveRetentionDays });

    // Only identifying tags here: with copyTagsToSnapshot on, every snapshot (also a
    // person's manual one) inherits them, so `dr:managed` must never be among them —
    // retention may only ever consider snapshots the backup workflow tagged itself.
    Tags.of(this).add(TAG.database, databaseName);
    Tags.of(this).add('dr:topology', config.topology);

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

import { ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';
import type { DatabaseConfig, Topology } from '../config/types.ts';

/** What the DR automation needs to know of the protected database, whatever its topology. */
export interface ProtectedDatabase {
  /** Which construct made it: a Multi-AZ DB instance or a Multi-AZ DB cluster. */
  readonly topology: Topology;
  /** DB instance identifier (instance topology) or DB cluster identifier. */
  readonly identifier: string;
  /** ARN of the DB instance or DB cluster. */
  readonly arn: string;
  /** Writer endpoint address. */
  readonly endpoint: string;
  /**
   * Where read-only DR work (manifest capture) connects: the cluster's reader endpoint,
   * the first read replica, or the writer when there is no reader.
   */
  readonly readerEndpoint: string;
  /** The PostgreSQL port. */
  readonly port: number;
  /** ARN of the master secret that RDS manages and rotates in Secrets Manager. */
  readonly secretArn: string;
  /** The database's security group (PostgreSQL from the DR functions only); a region failover's fence revokes its rules. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** DB subnet group (the isolated database subnets); restores are placed there too. */
  readonly subnetGroupName: string;
  /** Parameter group (instance) or cluster parameter group that forces TLS; restores use it too. */
  readonly parameterGroupName: string;
}

/** Props shared by both topologies. */
export interface ProtectedDatabaseProps {
  /** The database as configured: name, engine, class, storage, backup and maintenance windows, port, master user, read replicas. */
  readonly settings: Omit<DatabaseConfig, 'topology'>;
  /** The VPC; the database is placed in its `database` subnets. */
  readonly vpc: ec2.IVpc;
  /** Customer key for storage, snapshots, Performance Insights and the master secret. */
  readonly key: kms.IKey;
  /** Security group of the DR functions allowed to connect. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Availability zones; the third hosts the optional read replica. */
  readonly availabilityZones: readonly string[];
}

/**
 * Parameters both topologies share. `rds.force_ssl=1` refuses any non-TLS connection
 * (already the default from PostgreSQL 15, set explicitly so no parameter-group change
 * can silently drop it); TLS 1.2 is the floor.
 */
export const DATABASE_PARAMETERS: Readonly<Record<string, string>> = {
  'rds.force_ssl': '1',
  ssl_min_protocol_version: 'TLSv1.2',
  log_min_duration_statement: '1000',
};

/** The PostgreSQL database inside the instance: the configured name, with `-` (not allowed unquoted) as `_`. */
export function postgresDatabaseName(name: string): string {
  return name.replaceAll('-', '_');
}

/** cdk-nag RDS11 (default port) on an instance: the port is configurable on purpose. */
function acknowledgeConfigurablePort(instance: Construct): void {
  acknowledge(
    instance,
    'AwsSolutions-RDS11',
    'The port is configurable (database.port). A non-default port is obscurity, not a control: the database is in isolated subnets, its security group admits only the DR functions, and rds.force_ssl=1 requires TLS.',
  );
}

/** Log types exported to CloudWatch Logs. */
export const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}

function databaseSecurityGroup(scope: Construct, props: ProtectedDatabaseProps): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: props.vpc,
    description: `${props.settings.name}: PostgreSQL from the DR functions only`,
    allowAllOutbound: false,
  });
  sg.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(props.settings.port), 'DR functions (probe, manifest, verify)');
  // The functions' group allows no outbound traffic by default: open exactly this path.
  props.clientSecurityGroup.addEgressRule(sg, ec2.Port.tcp(props.settings.port), `PostgreSQL of ${props.settings.name}`);
  return sg;
}

/**
 * Log groups created ahead of RDS so they get a retention period and are kept on
 * stack deletion; RDS would otherwise create them with no expiry.
 */
function logGroups(scope: Construct, kind: 'instance' | 'cluster', identifier: string): logs.LogGroup[] {
  return LOG_EXPORTS.map(
    (type) =>
      new logs.LogGroup(scope, `Logs-${type}`, {
        logGroupName: `/aws/rds/${kind}/${identifier}/${type}`,
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
  );
}

/** Where RDS replicates the automated backups (and transaction logs) for point-in-time restores in the DR region. */
export interface BackupReplication {
  /** The DR region. */
  readonly region: string;
  /** ARN of the DR region's key (RDS takes no alias there). */
  readonly kmsKeyArn: string;
}

/** Props of {@link MultiAzInstanceDatabase}. */
export interface MultiAzInstanceDatabaseProps extends ProtectedDatabaseProps {
  /**
   * Cross-region replication of the automated backups; null for none.
   * @default null
   */
  readonly backupReplication?: BackupReplication | null;
}

/** Props of {@link createProtectedDatabase}. */
export interface CreateProtectedDatabaseProps extends MultiAzInstanceDatabaseProps {
  /** Which construct: {@link MultiAzInstanceDatabase} or {@link MultiAzClusterDatabase} (which replicates no backups). */
  readonly topology: Topology;
}

/** The protected database of the configured topology. */
export function createProtectedDatabase(scope: Construct, id: string, props: CreateProtectedDatabaseProps): ProtectedDatabase {
  const { topology, backupReplication, ...common } = props;
  return topology === 'multi-az-cluster'
    ? new MultiAzClusterDatabase(scope, id, common)
    : new MultiAzInstanceDatabase(scope, id, { ...common, backupReplication: backupReplication ?? null });
}

/** Props of {@link createDatabaseKey}. */
export interface DatabaseKeyProps {
  /** The protected database's name: alias `alias/<db>-database`. */
  readonly databaseName: string;
}

/** The customer key of the database: storage, snapshots, Performance Insights, the master secret. Made in `scope` as `DatabaseKey`. */
export function createDatabaseKey(scope: Construct, props: DatabaseKeyProps): kms.Key {
  return new kms.Key(scope, 'DatabaseKey', {
    alias: `alias/${props.databaseName}-database`,
    description: `${props.databaseName}: database storage, snapshots, Performance Insights, master secret`,
    enableKeyRotation: true,
  });
}

/**
 * Multi-AZ DB instance: a primary with a synchronous standby in another AZ (RDS picks
 * both AZs; a Multi-AZ instance cannot be pinned to one), plus optional read replicas
 * placed in the third configured AZ.
 */
export class MultiAzInstanceDatabase extends Construct implements ProtectedDatabase {
  readonly topology = 'multi-az-instance' as const;
  readonly identifier: string;
  readonly arn: string;
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  readonly secretArn: string;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnetGroupName: string;
  readonly parameterGroupName: string;
  readonly instance: rds.DatabaseInstance;
  readonly replicas: rds.DatabaseInstanceReadReplica[] = [];

  constructor(scope: Construct, id: string, props: MultiAzInstanceDatabaseProps) {
    super(scope, id);
    const c = props.settings;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(c.engineVersion, majorOf(c.engineVersion)) });
    this.securityGroup = databaseSecurityGroup(this, props);
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', { engine, parameters: { ...DATABASE_PARAMETERS }, description: `${c.name}: TLS enforced` });
    const subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: 'database' },
      description: `${c.name}: database subnets in three AZs`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logs = logGroups(this, 'instance', c.name);
    this.instance = new rds.DatabaseInstance(this, 'Primary', {
      instanceIdentifier: c.name,
      databaseName: postgresDatabaseName(c.name),
      engine,
      instanceType: new ec2.InstanceType(c.instanceClass.replace(/^db\./, '')),
      vpc: props.vpc,
      subnetGroup,
      securityGroups: [this.securityGroup],
      multiAz: true,
      port: c.port,
      storageType: rds.StorageType[c.storageType.toUpperCase() as 'GP3' | 'IO1' | 'IO2'],
      allocatedStorage: c.allocatedStorageGiB,
      maxAllocatedStorage: c.maxAllocatedStorageGiB,
      iops: c.iops,
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      credentials: rds.Credentials.fromUsername(c.masterUsername, { encryptionKey: props.key }),
      manageMasterUserPassword: true,
      parameterGroup,
      backupRetention: Duration.days(c.backupRetentionDays),
      preferredBackupWindow: c.preferredBackupWindow,
      preferredMaintenanceWindow: c.preferredMaintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.key,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      iamAuthentication: true,
    });
    for (const group of logs) this.instance.node.addDependency(group);
    Tags.of(this.instance).add('dr:role', 'primary');
    acknowledgeConfigurablePort(this.instance);
    if (props.backupReplication) {
      // Point-in-time restore in the DR region: RDS replicates snapshots and transaction logs
      // there, encrypted with the DR region's key, kept as long as the local backups.
      const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
      cfn.automaticBackupReplicationRegion = props.backupReplication.region;
      cfn.automaticBackupReplicationKmsKeyId = props.backupReplication.kmsKeyArn;
      cfn.automaticBackupReplicationRetentionPeriod = c.backupRetentionDays;
    }

    const replicaAz = props.availabilityZones[2];
    for (let i = 1; i <= c.readReplicas; i += 1) {
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${i}`, {
        instanceIdentifier: `${c.name}-replica-${i}`,
        sourceDatabaseInstance: this.instance,
        instanceType: new ec2.InstanceType(c.instanceClass.replace(/^db\./, '')),
        vpc: props.vpc,
        vpcSubnets: { subnetGroupName: 'database' },
        availabilityZone: replicaAz,
        securityGroups: [this.securityGroup],
        storageEncryptionKey: props.key,
        parameterGroup,
        port: c.port,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.DESTROY,
        enablePerformanceInsights: true,
        performanceInsightEncryptionKey: props.key,
        autoMinorVersionUpgrade: true,
        publiclyAccessible: false,
        iamAuthentication: true,
      });
      Tags.of(replica).add('dr:role', 'replica');
      acknowledgeConfigurablePort(replica);
      acknowledge(
        replica,
        'AwsSolutions-RDS3',
        'In-region read replicas serve reads; durability and failover come from the Multi-AZ primary and its synchronous standby.',
      );
      this.replicas.push(replica);
    }

    this.identifier = c.name;
    this.arn = this.instance.instanceArn;
    this.endpoint = this.instance.dbInstanceEndpointAddress;
    this.readerEndpoint = this.replicas[0]?.dbInstanceEndpointAddress ?? this.endpoint;
    this.subnetGroupName = subnetGroup.subnetGroupName;
    this.parameterGroupName = parameterGroup.bindToInstance({}).parameterGroupName;
    this.port = c.port;
    this.secretArn = this.instance.secret?.secretArn ?? '';
  }
}

/**
 * Multi-AZ DB cluster: a writer and two readable standbys, one per AZ, with failover
 * typically under 35 seconds. CDK's L2 cluster construct is Aurora-only, so this uses
 * `AWS::RDS::DBCluster` directly with the non-Aurora `postgres` engine.
 */
export class MultiAzClusterDatabase extends Construct implements ProtectedDatabase {
  readonly topology = 'multi-az-cluster' as const;
  readonly identifier: string;
  readonly arn: string;
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  readonly secretArn: string;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly subnetGroupName: string;
  readonly parameterGroupName: string;
  readonly cluster: rds.CfnDBCluster;

  constructor(scope: Construct, id: string, props: ProtectedDatabaseProps) {
    super(scope, id);
    const c = props.settings;
    this.securityGroup = databaseSecurityGroup(this, props);
    const subnets = props.vpc.selectSubnets({ subnetGroupName: 'database' });
    const subnetGroup = new rds.CfnDBSubnetGroup(this, 'Subnets', {
      dbSubnetGroupDescription: `${c.name}: database subnets in three AZs`,
      subnetIds: subnets.subnetIds,
    });
    const parameterGroup = new rds.CfnDBClusterParameterGroup(this, 'Parameters', {
      description: `${c.name}: TLS enforced`,
      family: `postgres${majorOf(c.engineVersion)}`,
      parameters: { ...DATABASE_PARAMETERS },
    });
    const logs = logGroups(this, 'cluster', c.name);
    this.cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: c.name,
      databaseName: postgresDatabaseName(c.name),
      engine: 'postgres',
      engineVersion: c.engineVersion,
      dbClusterInstanceClass: c.instanceClass,
      storageType: c.storageType,
      allocatedStorage: c.allocatedStorageGiB,
      iops: c.iops,
      dbSubnetGroupName: subnetGroup.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      port: c.port,
      dbClusterParameterGroupName: parameterGroup.ref,
      storageEncrypted: true,
      kmsKeyId: props.key.keyArn,
      masterUsername: c.masterUsername,
      manageMasterUserPassword: true,
      masterUserSecret: { kmsKeyId: props.key.keyArn },
      backupRetentionPeriod: c.backupRetentionDays,
      preferredBackupWindow: c.preferredBackupWindow,
      preferredMaintenanceWindow: c.preferredMaintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: true,
      enableCloudwatchLogsExports: [...LOG_EXPORTS],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.key.keyArn,
      performanceInsightsRetentionPeriod: 7,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      // No EnableIAMDatabaseAuthentication: the CloudFormation reference documents it as "Valid for:
      // Aurora DB clusters only" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbcluster.html#cfn-rds-dbcluster-enableiamdatabaseauthentication),
      // while the CreateDBCluster API reference (@aws-sdk/client-rds 3.1169 model) now says "Aurora DB clusters
      // and Multi-AZ DB clusters" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html).
      // Nothing in this project signs IAM database tokens (no rds-db:connect grant), so the flag would serve no function.
    });
    this.cluster.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    for (const group of logs) this.cluster.node.addDependency(group);
    Tags.of(this.cluster).add('dr:role', 'primary');

    this.identifier = c.name;
    this.arn = Stack.of(this).formatArn({ service: 'rds', resource: 'cluster', resourceName: c.name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.endpoint = this.cluster.attrEndpointAddress;
    this.readerEndpoint = this.cluster.attrReadEndpointAddress;
    this.subnetGroupName = subnetGroup.ref;
    this.parameterGroupName = parameterGroup.ref;
    this.port = c.port;
    this.secretArn = this.cluster.attrMasterUserSecretSecretArn;
  }
}

import { Annotations, Tags, Validations, type App } from 'aws-cdk-lib';
import { drKeyAlias, resolveDeployment } from './config/resolve.ts';
import type { DrConfig } from './config/types.ts';
import { DrAwsSolutionsChecks } from './nag.ts';
import { AutomationStack } from './stacks/automation-stack.ts';
import { DatabaseStack } from './stacks/database-stack.ts';
import { DrRegionStack } from './stacks/dr-region-stack.ts';

/** The stacks of one deployment. */
export interface DrApp {
  /** Network, keys, the protected database, the archive. */
  readonly database: DatabaseStack;
  /** The DR region's key; null without a DR region. */
  readonly drRegion: DrRegionStack | null;
  /** Functions, state machines, schedules, monitoring, failover. */
  readonly automation: AutomationStack;
}

/**
 * Adds every stack of one protected database to `app`, with cdk-nag AwsSolutions
 * checks on all of them. Used by the CDK entry point and by the infra tests, so both
 * synthesize the same thing. The configuration is resolved here once; the stacks get its facts.
 */
export function buildApp(app: App, config: DrConfig): DrApp {
  // Server access logs are granted by bucket policy, not the legacy LogDeliveryWrite ACL
  // (which would need ACLs enabled on the log bucket). Context must be set before any stack exists.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  // Strong references protect the producer: the database stack cannot drop an export the
  // automation still uses, so a change can never orphan the DR automation silently.
  app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const deployment = resolveDeployment(config);
  const name = deployment.databaseName;
  const prefix = `Dr-${name}`;
  const drRegion =
    deployment.drRegion === null
      ? null
      : new DrRegionStack(app, `${prefix}-DrRegion`, {
          databaseName: name,
          env: { account, region: deployment.drRegion },
          description: `${name}: DR-region key (${deployment.drRegion})`,
          terminationProtection: true,
        });
  // Replicated automated backups need the DR key's ARN (RDS takes no alias there), which
  // lives in another region: CDK passes it through SSM with crossRegionReferences.
  const replicateBackups = drRegion !== null && deployment.backupReplicationRegion !== null;
  const database = new DatabaseStack(app, `${prefix}-Database`, {
    deployment,
    env: { account, region: deployment.region },
    description: `${name}: protected PostgreSQL (${deployment.topology}), network and keys`,
    terminationProtection: true,
    crossRegionReferences: replicateBackups,
    backupReplication: replicateBackups && drRegion ? { region: drRegion.region, kmsKeyArn: drRegion.key.keyArn } : null,
  });
  if (drRegion && replicateBackups) database.addStackDependency(drRegion);
  const automation = new AutomationStack(app, `${prefix}-Automation`, {
    deployment,
    env: { account, region: deployment.region },
    description: `${name}: DR automation (functions, state machines, schedules)`,
    network: database.network,
    database: database.database,
    databaseKey: database.databaseKey,
    archive: database.archive,
    restoreTestSecurityGroup: database.restoreTestSecurityGroup,
  });
  automation.addStackDependency(database);
  if (drRegion) automation.addStackDependency(drRegion);
  if (deployment.replica !== null) {
    // Said at every synth until the stacks create the replica themselves (see the issue notes).
    Annotations.of(automation).addWarningV2(
      'rds-dr:cross-region-replica-not-created',
      `dr.readReplica: this version does not create the cross-region read replica. Create ${deployment.replica.identifier} in ${deployment.replica.region} (encrypted with ${drKeyAlias(name)}); until it exists, region failover stops at its pre-check and ReplicaLagHigh alarms.`,
    );
  }
  Tags.of(app).add('dr:app', 'rds-dr');
  const stacks = { database, drRegion, automation };
  Validations.of(app).addPlugins(new DrAwsSolutionsChecks(app));
  return stacks;
}

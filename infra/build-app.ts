import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DrConfig } from './config/types.ts';
import { acknowledgeFindings } from './nag.ts';
import { DatabaseStack } from './stacks/database-stack.ts';
import { DrRegionStack } from './stacks/dr-region-stack.ts';

/** The stacks of one deployment. */
export interface DrApp {
  readonly database: DatabaseStack;
  readonly drRegion: DrRegionStack | null;
}

/**
 * Adds every stack of one protected database to `app`, with cdk-nag AwsSolutions
 * checks on all of them. Used by the CDK entry point and by the infra tests, so both
 * synthesize the same thing.
 */
export function buildApp(app: App, config: DrConfig): DrApp {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const prefix = `Dr-${config.database.name}`;
  const database = new DatabaseStack(app, `${prefix}-Database`, {
    config,
    env: { account, region: config.region },
    description: `${config.database.name}: protected PostgreSQL (${config.database.topology}), network and keys`,
    terminationProtection: true,
  });
  const drRegion =
    config.dr.region === null
      ? null
      : new DrRegionStack(app, `${prefix}-DrRegion`, {
          config,
          env: { account, region: config.dr.region },
          description: `${config.database.name}: DR-region key (${config.dr.region})`,
          terminationProtection: true,
        });
  Tags.of(app).add('dr:app', 'rds-dr');
  acknowledgeFindings({ database, drRegion });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { database, drRegion };
}

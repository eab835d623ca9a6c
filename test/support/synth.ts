import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type DrApp } from '../../infra/build-app.ts';
import { resolveConfig } from '../../infra/config/load.ts';
import { DrAwsSolutionsChecks } from '../../infra/nag.ts';

/** A synthesized deployment for template assertions. */
export interface Synthesized {
  readonly app: App;
  readonly stacks: DrApp;
  readonly database: Template;
  readonly drRegion: Template | null;
}

/**
 * Builds the app for a configuration input, with bundling skipped
 * (TOOLCHAIN.md: never deploy an assembly synthesized this way).
 */
export function synthesize(input: unknown = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app, resolveConfig(input));
  return {
    app,
    stacks,
    database: Template.fromStack(stacks.database),
    drRegion: stacks.drRegion === null ? null : Template.fromStack(stacks.drRegion),
  };
}

/** cdk-nag AwsSolutions errors left unacknowledged (as synth would report them), as `rule at path` lines. */
export function unacknowledgedNagErrors(synth: Synthesized): string[] {
  const checks = new DrAwsSolutionsChecks(synth.app);
  const report = checks.validateScope(synth.app);
  return report.violations
    .filter((v) => v.severity?.toLowerCase() === 'error')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? ''}`));
}

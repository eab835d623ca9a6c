#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';
import { ConfigError, loadConfigFile } from './config/load.ts';

/**
 * CDK entry point. The configuration file comes from context `config`
 * (cdk.json sets the sample; `cdk synth -c config=path.json` picks another).
 */
const app = new App();
const path = (app.node.tryGetContext('config') as string | undefined) ?? 'infra/config/swifteats.json';
try {
  buildApp(app, loadConfigFile(path));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();

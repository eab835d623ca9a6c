import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DIMENSIONS, METRIC_NAMESPACE } from './metric-names.ts';

/** The one logger of a function. Keys appended per invocation: database, snapshotId, executionArn. */
export const logger = new Logger({ serviceName: 'rds-dr' });

/**
 * The one metrics instance of a function (EMF, flushed by the middy middleware). Its own warnings
 * (a dimension added twice, an invalid metric) go through {@link logger}, as structured log lines.
 */
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'rds-dr', logger });

let databaseDimension: string | undefined;

/**
 * Puts the `Database` dimension on every metric of this function, once per execution environment
 * (call it at module scope, after the environment is read). A default dimension survives each
 * invocation's flush and is inherited by single metrics; adding it per invocation instead makes
 * Powertools warn `Dimension "Database" has already been added` on every call after the first.
 * A second call with the same database does nothing; with another one it is a programming error.
 */
export function setDatabaseDimension(database: string): void {
  if (databaseDimension === database) return;
  if (databaseDimension !== undefined) throw new Error(`the Database dimension is ${databaseDimension} already; refusing ${database}`);
  metrics.setDefaultDimensions({ [DIMENSIONS.database]: database });
  databaseDimension = database;
}

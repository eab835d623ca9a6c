import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE } from './metric-names.ts';

/** The one logger of a function. Keys appended per invocation: database, snapshotId, executionArn. */
export const logger = new Logger({ serviceName: 'rds-dr' });

/** The one metrics instance of a function (EMF, flushed by the middy middleware). */
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'rds-dr' });

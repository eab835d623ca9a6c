import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DIMENSIONS, METRIC_NAMESPACE, METRIC_SERVICE, type MetricName } from '../../shared/metric-names.ts';

/**
 * A one-minute GetMetricData query of one of the database's metrics, under the dimensions
 * Powertools publishes them with (`service`, `Database`).
 */
export function databaseMetricQuery(id: string, name: MetricName, stat: 'Minimum' | 'Maximum', databaseId: string): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Period: 60,
      Stat: stat,
      Metric: {
        Namespace: METRIC_NAMESPACE,
        MetricName: name,
        Dimensions: [
          { Name: DIMENSIONS.service, Value: METRIC_SERVICE },
          { Name: DIMENSIONS.database, Value: databaseId },
        ],
      },
    },
  };
}

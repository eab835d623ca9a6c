/**
 * CloudWatch implementation of the {@link MetricSource} port: GetMetricData over the database's
 * metrics, with the dimensions Powertools publishes them under (`service`, `Database`).
 */
import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { MetricReading, MetricSource } from '../../ports/metric-source.ts';
import type { MetricName } from '../../shared/metric-names.ts';
import { send } from '../sdk-errors.ts';
import { databaseMetricQuery } from './query.ts';

/** Reads one database's metrics from CloudWatch. */
export class CloudWatchMetricSource implements MetricSource {
  readonly #client: CloudWatchClient;
  readonly #databaseId: string;

  constructor(client: CloudWatchClient, databaseId: string) {
    this.#client = client;
    this.#databaseId = databaseId;
  }

  /**
   * One query, newest first (`ScanBy: TimestampDescending`), so the first value is the newest.
   * The range is short (minutes), so one page always holds it.
   */
  async newest(name: MetricName, since: Date, until: Date): Promise<MetricReading | null> {
    const out = await send({ service: 'cloudwatch', action: 'GetMetricData' }, () =>
      this.#client.send(
        new GetMetricDataCommand({
          StartTime: since,
          EndTime: until,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: [databaseMetricQuery('newest', name, 'Maximum', this.#databaseId)],
        }),
      ),
    );
    const result = out.MetricDataResults?.find((r) => r.Id === 'newest');
    const value = result?.Values?.[0];
    const at = result?.Timestamps?.[0];
    return value === undefined || at === undefined ? null : { value, at };
  }
}

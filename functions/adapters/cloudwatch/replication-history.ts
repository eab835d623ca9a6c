/**
 * CloudWatch implementation of the {@link ReplicationHistory} port: one GetMetricData request for
 * two one-minute series of the database's probe metrics, under the dimensions Powertools publishes
 * them with (`service`, `Database`): WriterHealthy (Minimum: 1 only if every probe of the minute
 * succeeded) and ReplicaHeartbeatAgeSeconds (Maximum). The newest minute with both wins.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { LagSample, ReplicationHistory } from '../../ports/replication-history.ts';
import { translate } from '../sdk-errors.ts';
import type { MetricName } from '../../shared/metric-names.ts';
import { databaseMetricQuery } from './query.ts';

/** Reads one database's lag history. */
export class CloudWatchReplicationHistory implements ReplicationHistory {
  readonly #client: CloudWatchClient;
  readonly #databaseId: string;

  constructor(client: CloudWatchClient, databaseId: string) {
    this.#client = client;
    this.#databaseId = databaseId;
  }

  #query(id: string, name: MetricName, stat: 'Minimum' | 'Maximum'): MetricDataQuery {
    return databaseMetricQuery(id, name, stat, this.#databaseId);
  }

  async lastHealthyLag(since: Date, until: Date): Promise<LagSample | null> {
    const healthy = new Map<number, number>();
    const lag = new Map<number, number>();
    let token: string | undefined;
    try {
      do {
        const out = await this.#client.send(
          new GetMetricDataCommand({
            StartTime: since,
            EndTime: until,
            ScanBy: 'TimestampDescending',
            NextToken: token,
            MetricDataQueries: [this.#query('healthy', 'WriterHealthy', 'Minimum'), this.#query('lag', 'ReplicaHeartbeatAgeSeconds', 'Maximum')],
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          const into = result.Id === 'healthy' ? healthy : result.Id === 'lag' ? lag : null;
          (result.Timestamps ?? []).forEach((at, i) => {
            const value = result.Values?.[i];
            if (into !== null && value !== undefined) into.set(at.getTime(), value);
          });
        }
        token = out.NextToken;
      } while (token !== undefined);
    } catch (error) {
      throw translate(error, { service: 'cloudwatch', action: 'GetMetricData' });
    }
    const minutes = [...lag.keys()].filter((at) => healthy.get(at) === 1).sort((a, b) => b - a);
    const newest = minutes[0];
    return newest === undefined ? null : { at: new Date(newest), lagSeconds: lag.get(newest) as number };
  }
}

/**
 * A CloudWatch fake for GetMetricData over seeded datapoints (CloudWatch API reference,
 * GetMetricData): each MetricStat query aggregates the datapoints of its metric (namespace, name and
 * exactly its dimensions) into periods aligned on the period, within [StartTime, EndTime), with its
 * statistic (Minimum, Maximum, Sum, Average, SampleCount), newest first unless
 * `ScanBy: TimestampAscending`. Every result is `Complete` (no paging).
 */
import { CloudWatchClient, CloudWatchServiceException, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

interface Datapoint {
  readonly namespace: string;
  readonly name: string;
  /** `Name=Value` pairs, sorted. */
  readonly dimensions: string;
  readonly at: number;
  readonly value: number;
}

function dimensionKey(dimensions: readonly { Name?: string | undefined; Value?: string | undefined }[]): string {
  return dimensions
    .map((d) => `${d.Name ?? ''}=${d.Value ?? ''}`)
    .sort()
    .join(',');
}

/** CloudWatch's throttling error (wire code `Throttling`, not modelled by the SDK). */
export function cloudWatchThrottling(): CloudWatchServiceException {
  return new CloudWatchServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: metadata(400) });
}

/** The CloudWatch fake. */
export class CloudWatchFake extends AwsFake<CloudWatchClient> {
  readonly #points: Datapoint[] = [];

  constructor(clock: FakeClock) {
    super({ clock, source: 'test/support/cloudwatch-fake.ts', client: CloudWatchClient, operations: ['GetMetricData'], mutating: ['PutMetricData'], throttlingError: cloudWatchThrottling });
  }


  /** Records one value, as an EMF log line would. */
  put(namespace: string, name: string, dimensions: Readonly<Record<string, string>>, at: Date, value: number): void {
    this.#points.push({ namespace, name, dimensions: dimensionKey(Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }))), at: at.getTime(), value });
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    if (command !== 'GetMetricData') throw new Error(`CloudWatchFake does not implement ${command}`);
    const start = new Date(input['StartTime'] as Date).getTime();
    const end = new Date(input['EndTime'] as Date).getTime();
    const ascending = input['ScanBy'] === 'TimestampAscending';
    const results = ((input['MetricDataQueries'] ?? []) as MetricDataQuery[]).map((query) => {
      const stat = query.MetricStat;
      const period = (stat?.Period ?? 60) * 1000;
      const metric = stat?.Metric;
      const key = dimensionKey(metric?.Dimensions ?? []);
      const buckets = new Map<number, number[]>();
      for (const p of this.#points) {
        if (p.namespace !== metric?.Namespace || p.name !== metric.MetricName || p.dimensions !== key || p.at < start || p.at >= end) continue;
        const bucket = Math.floor(p.at / period) * period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
      }
      const reduce = (values: number[]): number => {
        switch (stat?.Stat) {
          case 'Minimum':
            return Math.min(...values);
          case 'Maximum':
            return Math.max(...values);
          case 'Sum':
            return values.reduce((a, b) => a + b, 0);
          case 'SampleCount':
            return values.length;
          default:
            return values.reduce((a, b) => a + b, 0) / values.length;
        }
      };
      const times = [...buckets.keys()].sort((a, b) => (ascending ? a - b : b - a));
      return { Id: query.Id, Label: metric?.MetricName, Timestamps: times.map((t) => new Date(t)), Values: times.map((t) => reduce(buckets.get(t) as number[])), StatusCode: 'Complete' };
    });
    return { MetricDataResults: results, Messages: [] };
  }
}

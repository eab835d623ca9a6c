/**
 * The authorizations of {@link CloudWatchMetricSource} (metric-source.ts). GetMetricData has
 * no resource-level permissions. Test-only: see ../shared.permissions.ts.
 */
import type { AwsAuthorization } from '../shared.permissions.ts';

export function metricSourcePermissions(): { newest: () => AwsAuthorization[] } {
  return { newest: () => [{ command: 'GetMetricDataCommand', action: 'cloudwatch:GetMetricData', resource: '*' }] };
}

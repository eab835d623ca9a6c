/**
 * The authorizations of {@link CloudWatchReplicationHistory} (replication-history.ts).
 * GetMetricData has no resource-level permissions. Test-only: see ../shared.permissions.ts.
 */
import type { AwsAuthorization } from '../shared.permissions.ts';

export function replicationHistoryPermissions(): { lastHealthyLag: () => AwsAuthorization[] } {
  return { lastHealthyLag: () => [{ command: 'GetMetricDataCommand', action: 'cloudwatch:GetMetricData', resource: '*' }] };
}

/**
 * The authorizations of {@link RdsClusterRestores} (cluster-restores.ts), per port method,
 * with the same arguments. Test-only: see ../shared.permissions.ts.
 */
import type { AwsLocation } from '../shared.permissions.ts';
import { restoreDeclarations, type RestoreDeclarations, type RestoreFacts } from './restore-common.permissions.ts';

/** The authorizations of the Multi-AZ DB cluster restore adapter whose SDK client is in `at.region`. */
export function clusterRestorePermissions(at: AwsLocation, facts: RestoreFacts): RestoreDeclarations {
  return restoreDeclarations(at, facts, {
    fromSnapshot: 'RestoreDBClusterFromSnapshot',
    toPointInTime: 'RestoreDBClusterToPointInTime',
    describe: 'DescribeDBClusters',
    delete: 'DeleteDBCluster',
    modify: 'ModifyDBCluster',
    database: 'cluster',
    snapshot: 'cluster-snapshot',
    parameterGroup: 'cluster-pg',
    secretOnRestore: false,
  });
}

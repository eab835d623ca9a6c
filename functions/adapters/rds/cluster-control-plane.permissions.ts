/**
 * The authorizations of {@link RdsClusterControlPlane} (cluster-control-plane.ts), per port
 * method, with the same arguments. Test-only: see ../shared.permissions.ts.
 */
import { rdsArn, type AwsLocation } from '../shared.permissions.ts';
import { commonControlPlanePermissions, rdsAction, snapshotCopy, snapshotCreate, snapshotList, type ControlPlaneDeclarations, type ResourceTypes } from './common.permissions.ts';

const TYPES: ResourceTypes = { database: 'cluster', snapshot: 'cluster-snapshot' };

/** The authorizations of the Multi-AZ DB cluster control plane whose SDK client is in `at.region`. */
export function clusterControlPlanePermissions(at: AwsLocation): ControlPlaneDeclarations {
  const describeDatabase: ControlPlaneDeclarations['describeDatabase'] = (identifier) => [rdsAction('DescribeDBClusters', rdsArn(at, 'cluster', identifier))];
  return {
    ...commonControlPlanePermissions(at),
    describeDatabase,
    describeWriter: describeDatabase,
    createSnapshot: (databaseId, snapshotId, tags) => snapshotCreate(at, 'CreateDBClusterSnapshot', TYPES, databaseId, snapshotId, tags),
    getSnapshot: (snapshotId, state) => [rdsAction('DescribeDBClusterSnapshots', rdsArn(at, 'cluster-snapshot', snapshotId), { resourceTags: state?.existingTags })],
    listManualSnapshots: (databaseId) => snapshotList(at, 'DescribeDBClusterSnapshots', TYPES, databaseId),
    deleteSnapshot: (snapshotId, state) => [rdsAction('DeleteDBClusterSnapshot', rdsArn(at, 'cluster-snapshot', snapshotId), { resourceTags: state?.existingTags ?? {} })],
    copySnapshot: (request, state) => snapshotCopy(at, 'CopyDBClusterSnapshot', TYPES, request, state),
    // No replicated automated backups of a Multi-AZ DB cluster: no call.
    replicatedBackupRestorableTime: () => [],
    forceFailover: (identifier) => [rdsAction('FailoverDBCluster', rdsArn(at, 'cluster', identifier))],
    // No cross-region read replica of a Multi-AZ DB cluster: refused before any call.
    promoteReadReplica: () => [],
  };
}

/**
 * The authorizations of {@link RdsInstanceControlPlane} (instance-control-plane.ts), per port
 * method, with the same arguments. Test-only: see ../shared.permissions.ts.
 */
import { rdsArn, type AwsLocation } from '../shared.permissions.ts';
import { ANY_NAME, commonControlPlanePermissions, rdsAction, snapshotCopy, snapshotCreate, snapshotList, type ControlPlaneDeclarations, type ResourceTypes } from './common.permissions.ts';

const TYPES: ResourceTypes = { database: 'db', snapshot: 'snapshot' };

/** The authorizations of the DB instance control plane whose SDK client is in `at.region`. */
export function instanceControlPlanePermissions(at: AwsLocation): ControlPlaneDeclarations {
  const describeDatabase: ControlPlaneDeclarations['describeDatabase'] = (identifier) => [rdsAction('DescribeDBInstances', rdsArn(at, 'db', identifier))];
  return {
    ...commonControlPlanePermissions(at),
    describeDatabase,
    describeWriter: describeDatabase,
    createSnapshot: (databaseId, snapshotId, tags) => snapshotCreate(at, 'CreateDBSnapshot', TYPES, databaseId, snapshotId, tags),
    getSnapshot: (snapshotId, state) => [rdsAction('DescribeDBSnapshots', rdsArn(at, 'snapshot', snapshotId), { resourceTags: state?.existingTags })],
    listManualSnapshots: (databaseId) => snapshotList(at, 'DescribeDBSnapshots', TYPES, databaseId),
    deleteSnapshot: (snapshotId, state) => [rdsAction('DeleteDBSnapshot', rdsArn(at, 'snapshot', snapshotId), { resourceTags: state?.existingTags ?? {} })],
    copySnapshot: (request, state) => snapshotCopy(at, 'CopyDBSnapshot', TYPES, request, state),
    replicatedBackupRestorableTime: (sourceArn) => [
      { command: 'DescribeDBInstanceAutomatedBackupsCommand', action: 'rds:DescribeDBInstanceAutomatedBackups', resource: rdsArn(at, 'auto-backup', ANY_NAME), why: 'list of automated backups in this region' },
      {
        command: 'DescribeDBInstanceAutomatedBackupsCommand',
        action: 'rds:DescribeDBInstanceAutomatedBackups',
        resource: sourceArn,
        why: 'filtered by the source database ARN (db-instance-id), in the source region',
      },
      {
        command: 'DescribeDBInstanceAutomatedBackupsCommand',
        action: 'rds:DescribeDBInstanceAutomatedBackups',
        resource: rdsArn(at, 'db', sourceArn.split(':').at(-1) ?? ''),
        why: 'a replicated backup keeps the source identifier in this region',
      },
    ],
    forceFailover: (identifier) => [rdsAction('RebootDBInstance', rdsArn(at, 'db', identifier))],
    promoteReadReplica: (identifier) => [rdsAction('PromoteReadReplica', rdsArn(at, 'db', identifier))],
  };
}

/**
 * The authorizations of {@link RdsInstanceRestores} (instance-restores.ts), per port method,
 * with the same arguments. Test-only: see ../shared.permissions.ts.
 */
import type { AwsLocation } from '../shared.permissions.ts';
import { restoreDeclarations, type RestoreDeclarations, type RestoreFacts } from './restore-common.permissions.ts';

/** The authorizations of the DB instance restore adapter whose SDK client is in `at.region`. */
export function instanceRestorePermissions(at: AwsLocation, facts: RestoreFacts): RestoreDeclarations {
  return restoreDeclarations(at, facts, {
    fromSnapshot: 'RestoreDBInstanceFromDBSnapshot',
    toPointInTime: 'RestoreDBInstanceToPointInTime',
    describe: 'DescribeDBInstances',
    delete: 'DeleteDBInstance',
    modify: 'ModifyDBInstance',
    database: 'db',
    snapshot: 'snapshot',
    parameterGroup: 'pg',
    secretOnRestore: true,
  });
}

/**
 * The authorizations of the restore adapter {@link restoresFor} (restore.ts) builds for a
 * topology: instance-restores.permissions.ts or cluster-restores.permissions.ts.
 * Test-only: see ../shared.permissions.ts.
 */
import type { Topology } from '../../ports/database-control-plane.ts';
import type { AwsLocation } from '../shared.permissions.ts';
import { clusterRestorePermissions } from './cluster-restores.permissions.ts';
import { instanceRestorePermissions } from './instance-restores.permissions.ts';
import type { RestoreDeclarations, RestoreFacts } from './restore-common.permissions.ts';

/** The authorizations of the restore adapter of `topology` whose SDK client is in `at.region`. */
export function restorePermissions(at: AwsLocation, topology: Topology, facts: RestoreFacts): RestoreDeclarations {
  return topology === 'multi-az-cluster' ? clusterRestorePermissions(at, facts) : instanceRestorePermissions(at, facts);
}

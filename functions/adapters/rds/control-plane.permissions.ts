/**
 * The authorizations of the control plane {@link controlPlaneFor} (control-plane.ts) builds
 * for a topology: instance-control-plane.permissions.ts or cluster-control-plane.permissions.ts.
 * Test-only: see ../shared.permissions.ts.
 */
import type { Topology } from '../../ports/database-control-plane.ts';
import type { AwsLocation } from '../shared.permissions.ts';
import { clusterControlPlanePermissions } from './cluster-control-plane.permissions.ts';
import type { ControlPlaneDeclarations } from './common.permissions.ts';
import { instanceControlPlanePermissions } from './instance-control-plane.permissions.ts';

/** The authorizations of the control plane of `topology` whose SDK client is in `at.region`. */
export function controlPlanePermissions(at: AwsLocation, topology: Topology): ControlPlaneDeclarations {
  return topology === 'multi-az-cluster' ? clusterControlPlanePermissions(at) : instanceControlPlanePermissions(at);
}

/**
 * The RDS {@link RestoreControlPlane} of a topology: the handlers' one entry point to the
 * per-topology adapters (instance-restores.ts, cluster-restores.ts).
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Topology } from '../../ports/database-control-plane.ts';
import type { RestoreControlPlane } from '../../ports/restore-control-plane.ts';
import { RdsClusterRestores } from './cluster-restores.ts';
import { RdsInstanceRestores } from './instance-restores.ts';

/** The restore adapter for a topology. */
export function restoresFor(topology: Topology, rds: RDSClient, engineVersion: string): RestoreControlPlane {
  return topology === 'multi-az-cluster' ? new RdsClusterRestores(rds, engineVersion) : new RdsInstanceRestores(rds);
}

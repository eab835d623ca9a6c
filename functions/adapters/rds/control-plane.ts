/**
 * The RDS {@link DatabaseControlPlane} of a topology: the handlers' one entry point to the
 * per-topology adapters (instance-control-plane.ts, cluster-control-plane.ts).
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseControlPlane, Topology } from '../../ports/database-control-plane.ts';
import { RdsClusterControlPlane } from './cluster-control-plane.ts';
import { RdsInstanceControlPlane } from './instance-control-plane.ts';

/** The adapter for a topology. */
export function controlPlaneFor(topology: Topology, rds: RDSClient, region: string): DatabaseControlPlane {
  return topology === 'multi-az-cluster' ? new RdsClusterControlPlane(rds, region) : new RdsInstanceControlPlane(rds, region);
}

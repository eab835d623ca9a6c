/**
 * Facts about RDS and about this app's own cadence that validation, the alarm specs and the docs
 * share. Plain values: no import but a type.
 */
import type { Topology } from './types.ts';

/** PostgreSQL majors offered here (RDS standard support, 2026-11). */
export const SUPPORTED_MAJORS = [14, 15, 16, 17, 18] as const;

/**
 * Instance-class families a Multi-AZ DB cluster runs on (RDS User Guide,
 * "Instance class availability for Multi-AZ DB clusters").
 */
export const CLUSTER_CLASS_FAMILIES = ['m5d', 'm6gd', 'm6id', 'm6idn', 'r5d', 'r6gd', 'r6id', 'r6idn', 'c6gd', 'x2iedn'] as const;

/** RDS's default manual-snapshot quota per region. */
export const MANUAL_SNAPSHOT_QUOTA = 100;

/** Documented upper bound of RDS's own failover time, per topology, seconds. */
export const RDS_FAILOVER_SECONDS: Record<Topology, number> = { 'multi-az-instance': 120, 'multi-az-cluster': 35 };

/** How often the writer probe runs. */
export const PROBE_PERIOD_SECONDS = 60;

/**
 * Failed probe periods in a row before `WriterDown` fires (its evaluation periods), and so before a
 * failover the workflow forces can start: detection takes this many probe periods.
 */
export const WRITER_DOWN_PROBES = 2;

/** LatestRestorableTime trails the present by up to about five minutes. */
export const PITR_LAG_SECONDS = 300;

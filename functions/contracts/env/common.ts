/**
 * What several functions' environment contracts share: the topology, TLS and ARN fields, and exact mode's tables.
 */
import { exactCountTableProblems } from '../../domain/verification/exact-counts.ts';
import type { Topology } from '../../ports/database-control-plane.ts';
import { integer, json, matching, oneOf } from '../env-schema.ts';

/** Deployment topologies a function accepts in `TOPOLOGY`. */
export const TOPOLOGIES = ['multi-az-instance', 'multi-az-cluster'] as const satisfies readonly Topology[];

/** TLS modes a function accepts in `DB_TLS_MODE`. */
export const TLS_MODES = ['verify-full', 'require', 'disable'] as const;

export const topology = () => oneOf(TOPOLOGIES, 'multi-az-instance or multi-az-cluster');
export const port = () => integer(1, 65_535);
export const secretArn = () => matching(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN');
export const topicArn = () => matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/, 'an SNS topic ARN');

/** Exact mode's tables (config restoreTest.exactCounts.tables), as JSON. */
export const exactCountTables = () =>
  json<string[]>((value) => exactCountTableProblems(value, 'tables'));

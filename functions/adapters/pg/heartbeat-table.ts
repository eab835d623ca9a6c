/**
 * The heartbeat table: its DDL, and the newest heartbeat in it. Shared by the probe's store (which
 * writes it) and the inspector (which records its newest row in a manifest), without the probe
 * bundle carrying the inspector.
 */
import { escapeIdentifier } from 'pg';
import { HEARTBEAT_TABLE } from '../../domain/probe/model.ts';
import type { SqlSession } from './sql.ts';

/**
 * DDL of the heartbeat table the probe writes every minute (idempotent). The index on
 * `written_at` keeps "newest heartbeat" an index lookup however long the table grows.
 */
export const HEARTBEAT_TABLE_DDL = `CREATE SCHEMA IF NOT EXISTS dr;
CREATE TABLE IF NOT EXISTS dr.heartbeat (
  id bigserial PRIMARY KEY,
  written_at timestamptz NOT NULL DEFAULT now(),
  writer text NOT NULL
);
CREATE INDEX IF NOT EXISTS heartbeat_written_at_idx ON dr.heartbeat (written_at);`;

/** `"dr"."heartbeat"`, quoted once. */
export const HEARTBEAT_RELATION = `${escapeIdentifier(HEARTBEAT_TABLE.schema)}.${escapeIdentifier(HEARTBEAT_TABLE.name)}`;

/**
 * The newest heartbeat's time (ISO 8601, microseconds kept), or null when there is no heartbeat
 * table or no row. Run it inside a read-only transaction (`inReadOnlyTransaction`).
 */
export async function newestHeartbeat(session: SqlSession): Promise<string | null> {
  // Checked first rather than catching 42P01: a database without the probe is normal, not an
  // error worth a line in the server log.
  const exists = await session.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [HEARTBEAT_RELATION]);
  if (exists.rows[0]?.present !== true) return null;
  // Formatted by the server: a JS Date would drop the microseconds.
  const result = await session.query<{ latest: string | null }>(
    `SELECT to_char(max(written_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS latest
       FROM ${HEARTBEAT_RELATION}`,
  );
  return result.rows[0]?.latest ?? null;
}

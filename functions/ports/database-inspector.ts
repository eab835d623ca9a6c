/**
 * Port: read-only inspection of a PostgreSQL database, what a manifest is made of.
 *
 * The backup workflow uses it against the production database and the restore test against the
 * temporary restored instance; both sides must describe a database the same way, so one adapter
 * serves both.
 */
import type { RowCounts, SchemaDescription, TableRef } from '../domain/verification/model.ts';

/** Reads schema, row counts and heartbeat of one database. Never writes. */
export interface DatabaseInspector {
  /**
   * Describes every user table (not `pg_catalog`, `information_schema`, TOAST or temp schemas):
   * columns, constraints and indexes, with every name schema-qualified whatever the session's
   * `search_path`, so two databases describe alike.
   */
  describeSchema(): Promise<SchemaDescription>;

  /**
   * Exact row counts (`count(*)`, not planner estimates) of the given tables, all read in one
   * snapshot so they describe one point in time even while writes go on. Keyed by `schema.table`.
   */
  countRows(tables: readonly TableRef[]): Promise<RowCounts>;

  /**
   * The newest `written_at` of the heartbeat table as ISO 8601 UTC with microseconds
   * (`2026-01-01T00:00:00.123456Z`), or null when the table does not exist or is empty.
   */
  latestHeartbeat(): Promise<string | null>;
}

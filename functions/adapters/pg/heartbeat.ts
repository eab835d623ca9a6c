/**
 * PostgreSQL implementation of the {@link HeartbeatStore} port: the `dr.heartbeat` table of one
 * endpoint, one fresh connection per probe (see the port for why).
 *
 * The login is given, not fetched: the handler reads the secret once per invocation, before the
 * probe's clock starts, so a slow or failing Secrets Manager is neither counted in the write
 * latency nor reported as a dead writer.
 */
import { HEARTBEAT_TABLE } from '../../domain/probe/model.ts';
import type { DatabaseCredentials } from '../../ports/database-credentials.ts';
import type { HeartbeatReadSession, HeartbeatSession, HeartbeatStore, SessionTimeouts } from '../../ports/heartbeat-store.ts';
import { DrError, SqlConnectionError } from '../../shared/errors.ts';
import { openSession } from './connect.ts';
import type { DbEndpoint, DbSession } from './connect.ts';
import { HEARTBEAT_RELATION, HEARTBEAT_TABLE_DDL, newestHeartbeat } from './heartbeat-table.ts';
import { inReadOnlyTransaction, translatePgError } from './sql.ts';

/** Where the heartbeat table lives. */
export interface PgHeartbeatEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** `verify-full` in production (see {@link DbEndpoint.tls}). */
  readonly tls: DbEndpoint['tls'];
  /** Shown in `pg_stat_activity`, so a DBA can tell probe sessions apart. @default 'rds-dr-probe' */
  readonly applicationName?: string;
}

const RELATION = HEARTBEAT_RELATION;

const TABLE_PRESENT_SQL = 'SELECT to_regclass($1) IS NOT NULL AS present';

// `written_at` is formatted by the server, like the inspector's heartbeat: a JS Date would drop the microseconds.
const WRITE_SQL = `INSERT INTO ${RELATION} (writer) VALUES ($1)
RETURNING to_char(written_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS written_at`;

/**
 * Oldest first through the `written_at` index, a bounded batch. The window is measured by the
 * server's clock, the clock that stamped the rows. No `FOR UPDATE SKIP LOCKED`: it would need the
 * UPDATE privilege, and the probe's login needs only SELECT, INSERT and DELETE; two overlapping
 * probes (EventBridge delivers at least once) just wait a moment on each other's few rows, within
 * the statement timeout, and the second deletes what the first left.
 */
const PRUNE_SQL = `WITH doomed AS (
  SELECT id FROM ${RELATION}
   WHERE written_at < now() - make_interval(secs => $1)
   ORDER BY written_at
   LIMIT $2
)
DELETE FROM ${RELATION} h USING doomed WHERE h.id = doomed.id`;

/** Reading, the only thing a read replica allows. */
class PgHeartbeatReadSession implements HeartbeatReadSession {
  protected readonly db: DbSession;
  protected readonly label: string;

  constructor(db: DbSession, label: string) {
    this.db = db;
    this.label = label;
  }

  /** {@inheritDoc HeartbeatReadSession.newest} */
  newest(): Promise<string | null> {
    // As the inspector reads it: in a READ ONLY transaction, a missing table meaning "no heartbeat".
    return inReadOnlyTransaction(this.db.client, () => 'reading the heartbeat', () => newestHeartbeat(this.db.client));
  }

  /** {@inheritDoc HeartbeatReadSession.close} */
  close(): Promise<void> {
    return this.db.close();
  }
}

/** Reading and writing, on the writer. */
class PgHeartbeatSession extends PgHeartbeatReadSession implements HeartbeatSession {
  /** {@inheritDoc HeartbeatSession.ensureTable} */
  async ensureTable(): Promise<boolean> {
    // Checked first: running the DDL every minute would need CREATE on the database each time
    // (CREATE SCHEMA checks it before IF NOT EXISTS) and lock the table for nothing.
    if (await this.#present()) return false;
    try {
      // One simple-protocol message: PostgreSQL runs its statements as one transaction, so a
      // failure leaves no half-made schema.
      await this.db.client.query(HEARTBEAT_TABLE_DDL);
      return true;
    } catch (error) {
      // Losing a creation race to a concurrent probe (a duplicate-key error) is not a failure.
      if (await this.#present().catch(() => false)) return false;
      throw translatePgError(error, `creating ${`${HEARTBEAT_TABLE.schema}.${HEARTBEAT_TABLE.name}`} on ${this.label}`);
    }
  }

  /** {@inheritDoc HeartbeatSession.write} */
  async write(writer: string): Promise<string> {
    try {
      const result = await this.db.client.query<{ written_at: string }>(WRITE_SQL, [writer]);
      const writtenAt = result.rows[0]?.written_at;
      if (writtenAt === undefined) throw new Error('INSERT … RETURNING returned no row');
      return writtenAt;
    } catch (error) {
      throw translatePgError(error, `writing a heartbeat on ${this.label}`);
    }
  }

  /** {@inheritDoc HeartbeatSession.prune} */
  async prune(retentionSeconds: number, maxRows: number): Promise<number> {
    try {
      const result = await this.db.client.query(PRUNE_SQL, [retentionSeconds, maxRows]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw translatePgError(error, `pruning heartbeats on ${this.label}`);
    }
  }

  async #present(): Promise<boolean> {
    try {
      const result = await this.db.client.query<{ present: boolean }>(TABLE_PRESENT_SQL, [RELATION]);
      return result.rows[0]?.present === true;
    } catch (error) {
      throw translatePgError(error, `checking ${`${HEARTBEAT_TABLE.schema}.${HEARTBEAT_TABLE.name}`} on ${this.label}`);
    }
  }
}

/** {@link HeartbeatStore} over `pg`, for one endpoint (the writer, or a replica). */
export class PgHeartbeatStore implements HeartbeatStore {
  readonly #endpoint: PgHeartbeatEndpoint;
  readonly #login: DatabaseCredentials;
  readonly #label: string;

  /**
   * @param endpoint where to connect
   * @param login the user and password (never logged, never put in a message)
   */
  constructor(endpoint: PgHeartbeatEndpoint, login: DatabaseCredentials) {
    this.#endpoint = endpoint;
    this.#login = login;
    this.#label = `${endpoint.host}:${endpoint.port}/${endpoint.database}`;
  }

  /** {@inheritDoc HeartbeatStore.open} */
  async open(timeouts: SessionTimeouts): Promise<HeartbeatSession> {
    return new PgHeartbeatSession(await this.#connect(timeouts), this.#label);
  }

  /** {@inheritDoc HeartbeatStore.openReadOnly} */
  async openReadOnly(timeouts: SessionTimeouts): Promise<HeartbeatReadSession> {
    return new PgHeartbeatReadSession(await this.#connect(timeouts), this.#label);
  }

  async #connect(timeouts: SessionTimeouts): Promise<DbSession> {
    try {
      return await openSession({
        host: this.#endpoint.host,
        port: this.#endpoint.port,
        database: this.#endpoint.database,
        tls: this.#endpoint.tls,
        user: this.#login.username,
        password: this.#login.password,
        connectTimeoutMs: timeouts.connectTimeoutMs,
        statementTimeoutMs: timeouts.statementTimeoutMs,
        applicationName: this.#endpoint.applicationName ?? 'rds-dr-probe',
      });
    } catch (error) {
      if (error instanceof DrError) throw error;
      // What openSession leaves untranslated at connect is still a connection that could not be
      // opened: TLS failures (untrusted or mismatched certificate, server without TLS) above all.
      const message = error instanceof Error ? error.message : String(error);
      throw new SqlConnectionError(`connect to ${this.#label}: ${message}`, { cause: error });
    }
  }
}

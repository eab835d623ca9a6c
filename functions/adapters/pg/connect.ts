/**
 * Opening PostgreSQL connections for the in-VPC functions (manifest, verify, probe).
 *
 * Timeouts are explicit because a hung database is one of the failures this system
 * exists to detect: a connect timeout bounds the TCP/TLS handshake, `statement_timeout`
 * bounds each statement server-side, and `query_timeout` bounds it client-side too (a
 * server that accepts and then stops answering never enforces its own timeout).
 */
import pg from 'pg';
import { translatePgError } from './sql.ts';

/** Where and how to connect. Credentials come from Secrets Manager in production. */
export interface DbEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /**
   * `verify-full`: TLS, server certificate checked against the trusted CAs (Lambda: set
   * NODE_EXTRA_CA_CERTS to the RDS bundle); `require`: TLS without verification;
   * `disable`: plain TCP (local test servers only).
   */
  readonly tls: 'verify-full' | 'require' | 'disable';
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default 30000 */
  readonly statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. @default 'rds-dr' */
  readonly applicationName?: string;
}

/** An open connection; `close()` never throws. */
export interface DbSession {
  readonly client: pg.Client;
  close(): Promise<void>;
}

/** Opens one connection, translating failures to SqlConnectionError / SqlQueryError. */
export async function openSession(endpoint: DbEndpoint): Promise<DbSession> {
  const statementTimeout = endpoint.statementTimeoutMs ?? 30_000;
  const client = new pg.Client({
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user: endpoint.user,
    password: endpoint.password,
    ssl: endpoint.tls === 'disable' ? false : { rejectUnauthorized: endpoint.tls === 'verify-full', servername: endpoint.host },
    connectionTimeoutMillis: endpoint.connectTimeoutMs ?? 5_000,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    application_name: endpoint.applicationName ?? 'rds-dr',
  });
  // An idle client whose socket dies emits 'error'; without a listener that crashes the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw translatePgError(error, `connect to ${endpoint.host}:${endpoint.port}/${endpoint.database}`);
  }
  return {
    client,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

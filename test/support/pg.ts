/**
 * Throwaway databases on the test PostgreSQL server, for any test layer.
 *
 * Each test file (vitest runs them in parallel workers) gets databases with random names, so
 * tests never see each other's tables; `drop()` force-drops the database even when a test left a
 * connection open. No vitest import here, so benchmarks and scripts can use it too.
 */
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import type { ClientConfig } from 'pg';

/**
 * The server the tests use: 127.0.0.1:5432, user `postgres`, trust auth, maintenance database
 * `test`. `PGHOST`/`PGPORT`/`PGUSER` override it for machines laid out differently.
 */
export const TEST_SERVER: Readonly<ClientConfig> = {
  host: process.env['PGHOST'] ?? '127.0.0.1',
  port: Number(process.env['PGPORT'] ?? 5432),
  user: process.env['PGUSER'] ?? 'postgres',
  database: 'test',
};

/** A database created for one test; drop it when done (or use {@link withTempDatabase}). */
export interface TempDatabase {
  /** The database name, e.g. `dr_test_manifest_1a2b3c4d5e6f`. */
  readonly name: string;
  /** Connection settings for this database. */
  readonly config: Readonly<ClientConfig>;
  /** Opens a client on this database; `drop()` closes it if the test did not. */
  connect(): Promise<Client>;
  /** Closes the clients opened by `connect()` and drops the database (idempotent). */
  drop(): Promise<void>;
}

/** Runs `fn` with a client on the maintenance database, always closing it. */
export async function withServerClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...TEST_SERVER });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** True when a database of that name exists on the test server. */
export async function databaseExists(name: string): Promise<boolean> {
  return withServerClient(async (client) => {
    const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [
      name,
    ]);
    return result.rows[0]?.n === 1;
  });
}

/**
 * Creates an empty database with a unique name.
 *
 * @param label a short word naming the test, kept in the name so a leaked database says where it came from
 */
export async function createTempDatabase(label = 'tmp'): Promise<TempDatabase> {
  // Lower case only: an unquoted name is folded to lower case, so psql users can type it.
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  const name = `dr_test_${safeLabel}_${randomBytes(6).toString('hex')}`;
  await withServerClient((client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)}`));

  const config: Readonly<ClientConfig> = { ...TEST_SERVER, database: name };
  const clients = new Set<Client>();
  let dropped = false;

  return {
    name,
    config,
    async connect() {
      const client = new Client({ ...config });
      // A connection killed by the forced drop emits 'error'; unhandled, that would crash the worker.
      client.on('error', () => undefined);
      await client.connect();
      clients.add(client);
      return client;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await Promise.all([...clients].map((client) => client.end().catch(() => undefined)));
      clients.clear();
      const statement = `DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`;
      await withServerClient((client) => client.query(statement));
    },
  };
}

/** Creates a temporary database, runs `fn` with it and drops it afterwards, also when `fn` throws. */
export async function withTempDatabase<T>(fn: (database: TempDatabase) => Promise<T>, label?: string): Promise<T> {
  const database = await createTempDatabase(label);
  try {
    return await fn(database);
  } finally {
    await database.drop();
  }
}

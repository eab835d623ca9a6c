/**
 * A consistent copy of a live test database at one instant, standing in for an RDS snapshot
 * restore: `pg_dump --snapshot=<id> | psql` into another database, where `<id>` comes from
 * `pg_export_snapshot()` in a repeatable-read transaction (the committed state at that instant,
 * like a storage snapshot after crash recovery). No vitest import: usable from scripts too.
 */
import { spawn } from 'node:child_process';
import { TEST_SERVER, type TempDatabase } from './pg.ts';

/** mulberry32: a small seeded PRNG, so a suite takes the same decisions on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serverArgs(): string[] {
  return ['-h', String(TEST_SERVER.host), '-p', String(TEST_SERVER.port), '-U', String(TEST_SERVER.user)];
}

/**
 * Empties `copy` (the given schemas and every large object), then restores into it the state of
 * `source` at exported snapshot `snapshotId`: the given schemas and, with `largeObjects`, the
 * large objects (same OIDs).
 */
export async function copyAtSnapshot(source: string, copy: TempDatabase, snapshotId: string, schemas: readonly string[], largeObjects = false): Promise<void> {
  const admin = await copy.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`);
    await admin.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata');
  } finally {
    await admin.end();
  }
  const dumpArgs = [...serverArgs(), '--snapshot', snapshotId, '--no-owner', '--no-privileges', ...schemas.flatMap((s) => ['-n', s]), ...(largeObjects ? ['-b'] : []), source];
  const dump = spawn('/usr/bin/pg_dump', dumpArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const restore = spawn('/usr/bin/psql', [...serverArgs(), '-q', '-v', 'ON_ERROR_STOP=1', '-d', copy.name], { stdio: ['pipe', 'ignore', 'pipe'] });
  dump.stdout.pipe(restore.stdin);
  const finished = (child: ReturnType<typeof spawn>, name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}: ${stderr}`))));
    });
  await Promise.all([finished(dump, 'pg_dump'), finished(restore, 'psql')]);
}

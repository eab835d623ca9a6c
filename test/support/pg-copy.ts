/**
 * A consistent copy of a live database on the test server: `pg_dump --snapshot=<id> | psql` into
 * another database, after dropping the named schemas there. With the snapshot exported by a
 * repeatable-read transaction (`pg_export_snapshot()`), the copy holds the committed state of one
 * instant, as a storage snapshot after crash recovery does. (test/sql/bracket.test.ts has its own
 * copy of this helper for its fixed schemas.)
 */
import { spawn } from 'node:child_process';
import { escapeIdentifier } from 'pg';
import { TEST_SERVER, type TempDatabase } from './pg.ts';

function run(command: string, args: string[], input?: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (input && child.stdin) input.pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

/**
 * Replaces `schemas` in `copy` with their state in `source` at the exported snapshot `snapshotId`
 * (the exporting transaction must stay open until this returns).
 */
export async function copyAtSnapshot(source: string, copy: TempDatabase, snapshotId: string, schemas: readonly string[]): Promise<void> {
  const admin = await copy.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schemas.map((schema) => escapeIdentifier(schema)).join(', ')} CASCADE`);
  await admin.end();
  const common = ['-h', String(TEST_SERVER.host), '-p', String(TEST_SERVER.port), '-U', String(TEST_SERVER.user)];
  const only = schemas.flatMap((schema) => ['-n', schema]);
  const dump = spawn('/usr/bin/pg_dump', [...common, '--snapshot', snapshotId, '--no-owner', '--no-privileges', ...only, source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  dump.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const dumped = new Promise<void>((resolve, reject) => dump.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump exited ${code}: ${stderr}`)))));
  await Promise.all([run('/usr/bin/psql', [...common, '-q', '-v', 'ON_ERROR_STOP=1', '-d', copy.name], dump.stdout), dumped]);
}

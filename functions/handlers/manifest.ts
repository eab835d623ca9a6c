/**
 * manifest λ (in the VPC): captures the database manifest just before the backup
 * workflow creates the snapshot, and stores it in the archive with its SHA-256.
 * Event: `{ snapshotId, executionArn? }`. Idempotent: a manifest already archived for
 * the snapshot is returned unchanged.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { openSession, type DbEndpoint } from '../adapters/pg/connect.ts';
import { PgDatabaseInspector } from '../adapters/pg/inspector.ts';
import { S3ArchiveStore } from '../adapters/s3/archive.ts';
import { SecretsManagerCredentials } from '../adapters/secrets/secrets-manager.ts';
import { archiveManifest, type ArchivedManifest } from '../domain/manifest-archive.ts';
import type { ArchiveStore } from '../ports/archive-store.ts';
import type { DatabaseInspector } from '../ports/database-inspector.ts';
import type { CredentialsProvider } from '../ports/database-credentials.ts';
import { requireEnv } from '../shared/env.ts';
import { logger } from '../shared/powertools.ts';
import { EventReader } from '../shared/validate.ts';

const env = requireEnv(['AWS_REGION', 'DATABASE_ID', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SECRET_ARN', 'ARCHIVE_BUCKET']);

/** What the handler acts through; injectable in tests. */
export interface ManifestDeps {
  /** Opens an inspector on the database and a function to close it. */
  readonly connect: () => Promise<{ inspector: DatabaseInspector; close: () => Promise<void> }>;
  readonly archive: ArchiveStore;
  readonly now: () => Date;
}

const credentials: CredentialsProvider = new SecretsManagerCredentials(new SecretsManagerClient({ region: env.AWS_REGION }), env.DB_SECRET_ARN);

const defaults: ManifestDeps = {
  connect: async () => {
    const { username, password } = await credentials.get();
    const endpoint: DbEndpoint = { host: env.DB_HOST, port: Number(env.DB_PORT), database: env.DB_NAME, user: username, password, tls: 'verify-full', statementTimeoutMs: 600_000, applicationName: 'rds-dr-manifest' };
    const session = await openSession(endpoint);
    return { inspector: new PgDatabaseInspector(session.client), close: session.close };
  },
  archive: new S3ArchiveStore(new S3Client({ region: env.AWS_REGION }), env.ARCHIVE_BUCKET),
  now: () => new Date(),
};

/** Validates the event, captures and archives the manifest. */
export async function core(event: unknown, deps: ManifestDeps = defaults): Promise<ArchivedManifest> {
  const input = new EventReader(event);
  const snapshotId = input.string('snapshotId', /^[a-z][a-z0-9-]{0,254}$/);
  const executionArn = input.optionalString('executionArn') ?? 'manual';
  input.done();
  logger.appendKeys({ database: env.DATABASE_ID, snapshotId, executionArn });
  const { inspector, close } = await deps.connect();
  try {
    const result = await archiveManifest(inspector, deps.archive, { database: env.DATABASE_ID, snapshotId, now: deps.now });
    logger.info(result.captured ? 'manifest captured and archived' : 'manifest already archived: kept', { ...result });
    return result;
  } finally {
    await close();
  }
}

/** The Lambda entry point. */
export const handler = middy((event: unknown) => core(event)).use(injectLambdaContext(logger, { clearState: true }));

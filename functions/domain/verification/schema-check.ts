/** The 'schema-fingerprint' check: the restored schema against the manifest's (reading A) or reading B's. */
import type { SchemaDescription } from './model.ts';
import { comparableSchema, fingerprint, type DatabaseManifest } from './manifest.ts';
import { diffSchemas } from './schema-diff.ts';
import type { CheckVerdict } from './report-model.ts';
import { plural, verdict } from './verdict.ts';

/**
 * Passes when the restored schema's fingerprint equals the manifest's (reading A), or reading B's
 * when DDL ran between the readings (reported); the details list every difference from A.
 */
export function judgeSchema(manifest: DatabaseManifest, restored: SchemaDescription, afterFingerprint: string | null = null): CheckVerdict {
  // An old manifest has no `objects`: compare what it holds, and say what was not compared.
  const { schema: actual, omitted } = comparableSchema(manifest.schema, restored);
  const judged = judgeComparableSchema(manifest, actual, afterFingerprint);
  if (omitted.length === 0) return judged;
  const note = `the manifest predates the object fingerprint, so ${omitted.join(', ')} were not compared`;
  return { ...judged, evidence: `${judged.evidence}; ${note}`, details: [...judged.details, note] };
}

function judgeComparableSchema(manifest: DatabaseManifest, actual: SchemaDescription, afterFingerprint: string | null): CheckVerdict {
  const actualFingerprint = fingerprint(actual);
  if (afterFingerprint !== null && afterFingerprint !== manifest.schemaFingerprint && actualFingerprint === afterFingerprint) {
    return verdict(
      'schema-fingerprint',
      'passed',
      `fingerprint ${actualFingerprint} equals reading B's: DDL ran between the manifest (${manifest.schemaFingerprint}) and the snapshot (${plural(actual.tables.length, 'table')})`,
      diffSchemas(manifest.schema, actual),
    );
  }
  if (actualFingerprint === manifest.schemaFingerprint) {
    return verdict(
      'schema-fingerprint',
      'passed',
      `fingerprint ${actualFingerprint} equals the manifest's (${plural(actual.tables.length, 'table')})`,
    );
  }
  const differences = diffSchemas(manifest.schema, actual);
  return verdict(
    'schema-fingerprint',
    'failed',
    `fingerprint ${actualFingerprint} differs from the manifest's ${manifest.schemaFingerprint}: ${plural(differences.length, 'difference')}`,
    differences,
  );
}

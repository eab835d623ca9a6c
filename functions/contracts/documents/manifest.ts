/**
 * The stored manifest (reading A of the bracket, `manifests/<db>/<snapshotId>.json`): its schema,
 * declared once against the domain's {@link DatabaseManifest}, and how it is read back.
 */
import { boolean, custom, lazy, nullable, optional, picklist } from 'valibot';
import { BRACKETED_MANIFEST_FORMAT_VERSION, MANIFEST_FORMAT_VERSION, storedManifestProblems, type DatabaseManifest } from '../../domain/verification/manifest.ts';
import type { ColumnDescription, ConstraintDescription, ConstraintType, IndexDescription, SchemaDescription, TableDescription, TableKind } from '../../domain/verification/model.ts';
import { SCHEMA_OBJECTS_FORMAT_VERSION, type RoutineKind, type SchemaObjects, type TriggerEnabled } from '../../domain/verification/schema-objects-model.ts';
import { ValidationError } from '../../shared/errors.ts';
import { entriesOf, gatedBy, isPlainObject, listOf, members, must, parseWith, type Schema } from '../schema.ts';
import { aBoolean, aCount, aString, aStringOrNull, CONTENT_READING, COUNTER_READING, jsonOf, LARGE_OBJECT_TALLY, LEDGER_READING } from './readings.ts';

const TABLE_KINDS: readonly TableKind[] = ['table', 'unlogged table', 'partitioned table'];
const CONSTRAINT_TYPES: readonly ConstraintType[] = ['primary key', 'foreign key', 'unique', 'check', 'exclusion', 'trigger'];

const AN_OBJECT = must('an object');

/** A list of `item`s; an item that is not an object is reported as such. */
function listOfObjects<T>(item: Schema<T>): Schema<T[]> {
  return listOf(() => item, must('an array'));
}

const COLUMN: Schema<ColumnDescription> = members({ name: aString, type: aString, nullable: aBoolean, default: aStringOrNull }, AN_OBJECT);

const CONSTRAINT: Schema<ConstraintDescription> = members(
  { name: aString, type: picklist(CONSTRAINT_TYPES, must(`one of ${CONSTRAINT_TYPES.join(', ')}`)), definition: aString },
  AN_OBJECT,
);

const INDEX: Schema<IndexDescription> = members({ name: aString, definition: aString, method: aString, unique: aBoolean }, AN_OBJECT);

const TABLE: Schema<TableDescription> = members(
  {
    schema: aString,
    name: aString,
    kind: picklist(TABLE_KINDS, must(`one of ${TABLE_KINDS.join(', ')}`)),
    columns: listOfObjects(COLUMN),
    constraints: listOfObjects(CONSTRAINT),
    indexes: listOfObjects(INDEX),
  },
  AN_OBJECT,
);

/** A string the reading takes as one of `T`'s words (only its being a string is checked). */
function aWord<T extends string>(): Schema<T> {
  return custom<T>((value) => typeof value === 'string', must('a string'));
}

const A_BOOLEAN_OR_NULL: Schema<boolean | null> = nullable(boolean(must('a boolean or null')));
const AN_INTEGER: Schema<number> = custom<number>((value) => typeof value === 'number' && Number.isSafeInteger(value), must('an integer'));
const STRINGS: Schema<string[]> = custom<string[]>((value) => Array.isArray(value) && value.every((item) => typeof item === 'string'), must('an array of strings'));

/** The `objects` section: its format version first; the sections only when it is one this reads. */
const SCHEMA_OBJECTS: Schema<SchemaObjects> = gatedBy(
  'formatVersion',
  custom((value) => value === SCHEMA_OBJECTS_FORMAT_VERSION, (issue) => `must be ${SCHEMA_OBJECTS_FORMAT_VERSION}, got ${String(issue.input)}`),
  members(
    {
      formatVersion: custom<1>((value) => value === SCHEMA_OBJECTS_FORMAT_VERSION),
      routines: listOfObjects(members({ schema: aString, name: aString, arguments: aString, kind: aWord<RoutineKind>(), body: aString, definition: aString }, AN_OBJECT)),
      triggers: listOfObjects(members({ schema: aString, table: aString, name: aString, definition: aString, enabled: aWord<TriggerEnabled>() }, AN_OBJECT)),
      views: listOfObjects(members({ schema: aString, name: aString, materialized: aBoolean, definition: aString, populated: A_BOOLEAN_OR_NULL }, AN_OBJECT)),
      enums: listOfObjects(members({ schema: aString, name: aString, labels: STRINGS }, AN_OBJECT)),
      domains: listOfObjects(members({ schema: aString, name: aString, type: aString, notNull: aBoolean, default: aStringOrNull, constraints: STRINGS }, AN_OBJECT)),
      extensions: listOfObjects(members({ name: aString, version: aString, schema: aString }, AN_OBJECT)),
      roles: listOfObjects(
        members(
          {
            name: aString,
            login: aBoolean,
            inherit: aBoolean,
            createRole: aBoolean,
            createDb: aBoolean,
            replication: aBoolean,
            bypassRls: aBoolean,
            connectionLimit: AN_INTEGER,
            memberOf: STRINGS,
          },
          AN_OBJECT,
        ),
      ),
      access: listOfObjects(members({ object: aString, table: aStringOrNull, owner: aStringOrNull, grants: STRINGS }, AN_OBJECT)),
      rowSecurity: listOfObjects(members({ schema: aString, table: aString, enabled: aBoolean, forced: aBoolean }, AN_OBJECT)),
      policies: listOfObjects(
        members(
          { schema: aString, table: aString, name: aString, command: aString, permissive: aBoolean, roles: STRINGS, using: aStringOrNull, check: aStringOrNull },
          AN_OBJECT,
        ),
      ),
      settings: listOfObjects(members({ role: aStringOrNull, database: aBoolean, name: aString, value: aString }, AN_OBJECT)),
      partitions: listOfObjects(members({ schema: aString, name: aString, parent: aString, bound: aString }, AN_OBJECT)),
    },
    AN_OBJECT,
  ),
);

const SCHEMA: Schema<SchemaDescription> = members({ tables: listOfObjects(TABLE), objects: optional(SCHEMA_OBJECTS) }, AN_OBJECT);

const FORMAT_VERSION = custom<1 | 2>(
  (value) => value === MANIFEST_FORMAT_VERSION || value === BRACKETED_MANIFEST_FORMAT_VERSION,
  (issue) => `must be ${MANIFEST_FORMAT_VERSION} or ${BRACKETED_MANIFEST_FORMAT_VERSION}, got ${String(issue.input)}`,
);

/** The fields after the format version (and, in format 2, the counters), in the order they are reported. */
const BODY = {
  database: aString,
  capturedAt: custom<string>((value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)), must('an ISO 8601 date')),
  schemaFingerprint: aString,
  schema: SCHEMA,
  rowCounts: entriesOf(aCount(), AN_OBJECT),
  ledger: optional(LEDGER_READING),
  heartbeat: members({ latestAt: aStringOrNull }, AN_OBJECT),
  // Optional (newer manifests): checked when present, so older documents still read.
  content: optional(CONTENT_READING),
  largeObjects: optional(LARGE_OBJECT_TALLY),
};

/** Format 1 (and any unknown format, refused by its version): no counters. */
const PLAIN: Schema<DatabaseManifest> = members({ formatVersion: FORMAT_VERSION, ...BODY }, must('an object'));

/** Format 2 (bracketed): the counters read just before the counts. */
const BRACKETED: Schema<DatabaseManifest> = members({ formatVersion: FORMAT_VERSION, counters: COUNTER_READING, ...BODY }, must('an object'));

/** The stored manifest: its shape depends on its format version. */
export const MANIFEST: Schema<DatabaseManifest> = lazy((value) => (isPlainObject(value) && value['formatVersion'] === BRACKETED_MANIFEST_FORMAT_VERSION ? BRACKETED : PLAIN));

/**
 * Reads a stored manifest back, for the restore test: its shape ({@link MANIFEST}), then the rules
 * of the domain (the stored fingerprint matches the stored schema), so a hand-edited or truncated
 * document is refused rather than compared. (Check the bytes against the stored SHA-256 first.)
 *
 * @throws ValidationError listing every problem, each with its JSON path (`manifest.…`)
 */
export function parseManifest(text: string): DatabaseManifest {
  const manifest = parseWith(MANIFEST, jsonOf(text, 'manifest'), { label: 'manifest' });
  const problems = storedManifestProblems(manifest);
  if (problems.length > 0) throw new ValidationError(problems);
  return manifest;
}

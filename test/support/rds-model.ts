/**
 * The AWS SDK's own model of RDS, read from the installed `@aws-sdk/client-rds`: which operations exist,
 * the members of each operation's input (the package's runtime schemas, `<Operation>$`), and the errors each
 * operation declares (the `@throws` list of `dist-types/commands/<Operation>Command.d.ts`, generated from the
 * same Smithy model as the API reference's "Errors" section).
 *
 * The RDS fake checks itself against it on every call (see `RdsFake.handle`), and the model conformance test
 * (test/functions/rds-model.test.ts) checks the fake and the project's requests against it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** `dist-cjs/index.js` of the installed client: its exports include the runtime schemas. */
const entry = require.resolve('@aws-sdk/client-rds');
const PACKAGE_ROOT = join(dirname(entry), '..');
const sdk = require('@aws-sdk/client-rds') as Record<string, unknown>;

/**
 * Errors every operation may return although no operation lists them: the common errors of the API
 * reference (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html), plus `Throttling`,
 * the code RDS actually sends when its token bucket is empty (aws/aws-cli#8604; the user guide's example says
 * `ThrottlingException`, which is in the common list).
 */
export const COMMON_ERRORS: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidQueryParameter',
  'MalformedQueryString',
  'MissingAction',
  'MissingAuthenticationToken',
  'MissingParameter',
  'NotAuthorized',
  'OptInRequired',
  'RequestExpired',
  'ServiceUnavailable',
  'ThrottlingException',
  'Throttling',
  'ValidationError',
]);

type OperationSchema = [number, string, string, number, () => unknown, () => unknown];
type StructureSchema = [number, string, string, number, string[], unknown[]];

function operationSchema(operation: string): OperationSchema | undefined {
  const schema = sdk[`${operation}$`];
  // 9 is Smithy's schema tag of an operation.
  return Array.isArray(schema) && schema[0] === 9 && schema[2] === operation ? (schema as OperationSchema) : undefined;
}

/** Whether RDS has an operation of that name (e.g. `CreateDBSnapshot`). */
export function operationExists(operation: string): boolean {
  return operationSchema(operation) !== undefined;
}

const membersCache = new Map<string, ReadonlySet<string>>();

/** The top-level members of an operation's input. Throws for an unknown operation. */
export function inputMembers(operation: string): ReadonlySet<string> {
  const cached = membersCache.get(operation);
  if (cached) return cached;
  const op = operationSchema(operation);
  if (!op) throw new Error(`@aws-sdk/client-rds has no operation ${operation}`);
  const input = op[4]() as StructureSchema;
  const members = new Set(input[4]);
  membersCache.set(operation, members);
  return members;
}

const errorsCache = new Map<string, ReadonlySet<string>>();

/** The error names (SDK exception names, e.g. `DBSnapshotNotFoundFault`) an operation declares. */
export function declaredErrors(operation: string): ReadonlySet<string> {
  const cached = errorsCache.get(operation);
  if (cached) return cached;
  if (!operationExists(operation)) throw new Error(`@aws-sdk/client-rds has no operation ${operation}`);
  const text = readFileSync(join(PACKAGE_ROOT, 'dist-types', 'commands', `${operation}Command.d.ts`), 'utf8');
  const errors = new Set([...text.matchAll(/@throws \{@link (\w+)\}/g)].map((m) => m[1] ?? '').filter((n) => n !== 'RDSServiceException'));
  errorsCache.set(operation, errors);
  return errors;
}

/** Whether an operation may throw an error of that name: declared for it, or a common error. */
export function mayThrow(operation: string, errorName: string): boolean {
  return COMMON_ERRORS.has(errorName) || declaredErrors(operation).has(errorName);
}

/** The documentation of one input member (HTML stripped), from the operation's `*Message` interface. */
export function memberDoc(operation: string, member: string): string {
  for (const file of ['models_0.d.ts', 'models_1.d.ts']) {
    const text = readFileSync(join(PACKAGE_ROOT, 'dist-types', 'models', file), 'utf8');
    for (const name of [`${operation}Message`, `${operation}Request`]) {
      const start = text.indexOf(`export interface ${name} {`);
      if (start < 0) continue;
      const body = text.slice(start, text.indexOf('\n}\n', start));
      const at = body.indexOf(`  ${member}?:`) >= 0 ? body.indexOf(`  ${member}?:`) : body.indexOf(`  ${member}:`);
      if (at < 0) return '';
      const doc = body.slice(body.lastIndexOf('/**', at), at);
      return doc.replace(/<[^>]+>/g, ' ').replace(/\s*\*\s*/g, ' ').replace(/\s+/g, ' ').trim();
    }
  }
  return '';
}

/**
 * How a restored schema and its row counts differ from a manifest's, line by line, in canonical
 * order: what the schema and row-count checks of a restore test report.
 */
import { canonicalSchema, qualifiedName } from './manifest.ts';
import type { RowCounts, SchemaDescription, TableDescription } from './model.ts';
import { diffObjects } from './schema-objects.ts';

/** Orders strings by UTF-16 code unit (as the canonical form does). */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function describeField(value: unknown): string {
  return value === null ? 'none' : String(value);
}

function diffFields(
  subject: string,
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): string[] {
  return fields
    .filter((field) => expected[field] !== actual[field])
    .map((field) => `${subject} ${field} ${describeField(expected[field])} -> ${describeField(actual[field])}`);
}

/** Pairs two named lists: missing (only expected), unexpected (only actual), both. */
function pairByName<T>(
  expected: readonly T[],
  actual: readonly T[],
  nameOf: (item: T) => string,
): { name: string; expected: T | undefined; actual: T | undefined }[] {
  const actualByName = new Map(actual.map((item) => [nameOf(item), item]));
  const expectedByName = new Map(expected.map((item) => [nameOf(item), item]));
  const names = [...new Set([...expectedByName.keys(), ...actualByName.keys()])].sort(compareText);
  return names.map((name) => ({ name, expected: expectedByName.get(name), actual: actualByName.get(name) }));
}

function diffTable(expected: TableDescription, actual: TableDescription): string[] {
  const table = `table ${qualifiedName(expected)}`;
  const differences = diffFields(table, { kind: expected.kind }, { kind: actual.kind }, ['kind']);

  for (const pair of pairByName(expected.columns, actual.columns, (column) => column.name)) {
    if (pair.actual === undefined) differences.push(`${table}: column ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`${table}: column ${pair.name} unexpected`);
    else {
      differences.push(
        ...diffFields(`${table}: column ${pair.name}`, { ...pair.expected }, { ...pair.actual }, [
          'type',
          'nullable',
          'default',
        ]),
      );
    }
  }
  // Order is compared on the columns both sides have, so a missing column is reported once.
  const actualNames = new Set(actual.columns.map((column) => column.name));
  const expectedNames = new Set(expected.columns.map((column) => column.name));
  const expectedOrder = expected.columns.map((column) => column.name).filter((name) => actualNames.has(name));
  const actualOrder = actual.columns.map((column) => column.name).filter((name) => expectedNames.has(name));
  if (expectedOrder.join('\u0000') !== actualOrder.join('\u0000')) {
    differences.push(`${table}: column order ${expectedOrder.join(', ')} -> ${actualOrder.join(', ')}`);
  }

  for (const pair of pairByName(expected.constraints, actual.constraints, (constraint) => constraint.name)) {
    if (pair.actual === undefined) differences.push(`${table}: constraint ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`${table}: constraint ${pair.name} unexpected`);
    else {
      differences.push(
        ...diffFields(`${table}: constraint ${pair.name}`, { ...pair.expected }, { ...pair.actual }, [
          'type',
          'definition',
        ]),
      );
    }
  }

  // Index names are unique per schema, so an index is named by schema, like a table.
  for (const pair of pairByName(expected.indexes, actual.indexes, (index) => index.name)) {
    const index = `index ${expected.schema}.${pair.name}`;
    if (pair.actual === undefined) differences.push(`${index} missing`);
    else if (pair.expected === undefined) differences.push(`${index} unexpected`);
    else {
      const fields = ['definition', 'method', 'unique'];
      differences.push(...diffFields(index, { ...pair.expected }, { ...pair.actual }, fields));
    }
  }
  return differences;
}

/**
 * Human-readable differences from `expected` (the manifest) to `actual` (the restored database),
 * in canonical order; empty when the schemas are equal. Messages look like
 * `table shop.orders: column total type numeric(10,2) -> text`, `index shop.orders_customer_idx missing`,
 * `table audit.log missing`, `table public.settings: column updated_at unexpected`. The columns,
 * constraints and indexes of a missing or unexpected table are not listed again. When both sides
 * have `objects`, their differences follow (see `diffObjects`: `trigger shop.orders.orders_audit: missing`).
 */
export function diffSchemas(expected: SchemaDescription, actual: SchemaDescription): string[] {
  const differences: string[] = [];
  const reported = new Set<string>();
  const pairs = pairByName(canonicalSchema(expected).tables, canonicalSchema(actual).tables, qualifiedName);
  for (const pair of pairs) {
    if (pair.actual === undefined) differences.push(`table ${pair.name} missing`);
    else if (pair.expected === undefined) differences.push(`table ${pair.name} unexpected`);
    else differences.push(...diffTable(pair.expected, pair.actual));
    if (pair.actual === undefined || pair.expected === undefined) reported.add(pair.name);
  }
  // Compared only when both sides have the section (an old manifest has none).
  if (expected.objects !== undefined && actual.objects !== undefined) {
    differences.push(...diffObjects(expected.objects, actual.objects, reported));
  }
  return differences;
}

/**
 * Differences between two sets of row counts, sorted by table: `table shop.orders: rows 5 -> 4`,
 * `table audit.log: row count missing`, `table public.extra: row count unexpected (3 rows)`.
 */
export function diffRowCounts(expected: RowCounts, actual: RowCounts): string[] {
  const differences: string[] = [];
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort(compareText);
  for (const name of names) {
    const want = expected[name];
    const got = actual[name];
    if (got === undefined) differences.push(`table ${name}: row count missing`);
    else if (want === undefined) differences.push(`table ${name}: row count unexpected (${got} rows)`);
    else if (want !== got) differences.push(`table ${name}: rows ${want} -> ${got}`);
  }
  return differences;
}

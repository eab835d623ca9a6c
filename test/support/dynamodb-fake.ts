/**
 * A stateful DynamoDB fake: tables with a string partition key, GetItem / PutItem / UpdateItem /
 * DeleteItem with condition and update expressions, and TTL that deletes nothing until a test sweeps.
 *
 * Fidelity, following the DynamoDB API reference and Developer Guide:
 * - a failed condition throws ConditionalCheckFailedException ("The conditional request failed")
 *   and writes nothing; with `ReturnValuesOnConditionCheckFailure: ALL_OLD` the error carries the
 *   item (API reference, PutItem/UpdateItem/DeleteItem);
 * - expressions: `attribute_exists`, `attribute_not_exists`, comparisons (= <> < <= > >=), AND, OR,
 *   NOT, parentheses; updates: `SET path = operand | if_not_exists(path, operand) | operand ± operand`
 *   and `REMOVE path`; document paths of names and `#placeholders` joined by dots. A comparison with
 *   a missing attribute is false (Developer Guide, "Comparison operator and function reference");
 * - every placeholder must be defined and every definition used: ValidationException with DynamoDB's
 *   messages ("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
 * - SET on a path below a missing map fails: "The document path provided in the update expression is
 *   invalid for update";
 * - TTL: expired items stay readable until deleted, "typically within a few days" (Developer Guide,
 *   "Time to Live"); here only {@link DynamoDbFake.sweepExpired} deletes them.
 * Not modelled: sort keys, indexes, queries, transactions, capacity.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  ResourceNotFoundException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { AwsFake, metadata, type FakeClock } from './aws-fake.ts';

type Item = Record<string, AttributeValue>;

/** A DynamoDB ValidationException (not modelled by the SDK: its name is the wire code). */
export function validationException(message: string): DynamoDBServiceException {
  return new DynamoDBServiceException({ name: 'ValidationException', $fault: 'client', message, $metadata: metadata(400) });
}

/** The throttling error of an on-demand table. */
export function throttlingException(): DynamoDBServiceException {
  return new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Throughput exceeds the current capacity for one or more global secondary indexes.', $metadata: metadata(400) });
}

// ------------------------------------------------------------------------------- expressions

type Token = { kind: 'name' | 'placeholder' | 'value' | 'op' | 'punct' | 'word'; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<>|<=|>=|=|<|>|\+|-)|([().,])|([A-Za-z_][A-Za-z0-9_]*))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    re.lastIndex = index;
    const m = re.exec(expression);
    if (m === null) throw validationException(`Invalid expression: Syntax error; token: "${expression.slice(index, index + 10)}", near: "${expression.slice(Math.max(0, index - 5), index + 10)}"`);
    index = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'placeholder', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4]) tokens.push({ kind: 'punct', text: m[4] });
    else if (m[5]) tokens.push({ kind: ['AND', 'OR', 'NOT', 'SET', 'REMOVE'].includes(m[5].toUpperCase()) ? 'word' : 'name', text: m[5] });
  }
  return tokens;
}

/** Placeholders used, to check them against the definitions. */
interface Usage {
  readonly names: Set<string>;
  readonly values: Set<string>;
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;
  readonly #names: Record<string, string>;
  readonly #values: Record<string, AttributeValue>;
  readonly usage: Usage;

  constructor(expression: string, names: Record<string, string>, values: Record<string, AttributeValue>, usage: Usage) {
    this.#tokens = tokenize(expression);
    this.#names = names;
    this.#values = values;
    this.usage = usage;
  }

  peek(): Token | undefined {
    return this.#tokens[this.#at];
  }

  next(): Token {
    const token = this.#tokens[this.#at];
    if (token === undefined) throw validationException('Invalid expression: Syntax error; unexpected end of expression');
    this.#at += 1;
    return token;
  }

  expect(text: string): void {
    const token = this.next();
    if (token.text.toUpperCase() !== text.toUpperCase()) throw validationException(`Invalid expression: Syntax error; token: "${token.text}", expected "${text}"`);
  }

  atEnd(): boolean {
    return this.#at >= this.#tokens.length;
  }

  /** A document path: name(.name)* with #placeholders resolved. */
  path(): string[] {
    const parts = [this.segment()];
    while (this.peek()?.text === '.') {
      this.next();
      parts.push(this.segment());
    }
    return parts;
  }

  segment(): string {
    const token = this.next();
    if (token.kind === 'placeholder') {
      this.usage.names.add(token.text);
      const resolved = this.#names[token.text];
      if (resolved === undefined) throw validationException(`Invalid expression: An expression attribute name used in the document path is not defined; attribute name: ${token.text}`);
      return resolved;
    }
    if (token.kind === 'name') return token.text;
    throw validationException(`Invalid expression: Syntax error; token: "${token.text}", expected a document path`);
  }

  /** An operand: `:value` or a path. */
  operand(): { value: AttributeValue } | { path: string[] } {
    const token = this.peek();
    if (token?.kind === 'value') {
      this.next();
      this.usage.values.add(token.text);
      const value = this.#values[token.text];
      if (value === undefined) throw validationException(`Invalid expression: An expression attribute value used in expression is not defined; attribute value: ${token.text}`);
      return { value };
    }
    return { path: this.path() };
  }
}

function resolve(item: Item | undefined, path: readonly string[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = item === undefined ? undefined : { M: item };
  for (const part of path) current = current?.M?.[part];
  return current;
}

function compare(a: AttributeValue | undefined, op: string, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const type = (v: AttributeValue): string => Object.keys(v).find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined) ?? '';
  if (type(a) !== type(b)) return op === '<>';
  let order: number;
  if (a.N !== undefined && b.N !== undefined) order = Number(a.N) - Number(b.N);
  else if (a.S !== undefined && b.S !== undefined) order = a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  else {
    const equal = JSON.stringify(a) === JSON.stringify(b);
    if (op === '=') return equal;
    if (op === '<>') return !equal;
    throw validationException(`Invalid ConditionExpression: Incorrect operand type for operator or function; operator: ${op}, operand type: ${type(a)}`);
  }
  switch (op) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** A condition evaluated on an item (undefined: no item). */
function parseCondition(p: Parser): (item: Item | undefined) => boolean {
  const or = (): ((item: Item | undefined) => boolean) => {
    let left = and();
    while (p.peek()?.text.toUpperCase() === 'OR') {
      p.next();
      const l = left;
      const r = and();
      left = (item) => l(item) || r(item);
    }
    return left;
  };
  const and = (): ((item: Item | undefined) => boolean) => {
    let left = not();
    while (p.peek()?.text.toUpperCase() === 'AND') {
      p.next();
      const l = left;
      const r = not();
      left = (item) => l(item) && r(item);
    }
    return left;
  };
  const not = (): ((item: Item | undefined) => boolean) => {
    if (p.peek()?.text.toUpperCase() === 'NOT') {
      p.next();
      const inner = not();
      return (item) => !inner(item);
    }
    return primary();
  };
  const primary = (): ((item: Item | undefined) => boolean) => {
    const token = p.peek();
    if (token?.text === '(') {
      p.next();
      const inner = or();
      p.expect(')');
      return inner;
    }
    if (token?.kind === 'name' && (token.text === 'attribute_exists' || token.text === 'attribute_not_exists')) {
      p.next();
      p.expect('(');
      const path = p.path();
      p.expect(')');
      const exists = token.text === 'attribute_exists';
      return (item) => (resolve(item, path) !== undefined) === exists;
    }
    const left = p.operand();
    const op = p.next();
    if (op.kind !== 'op' || op.text === '+' || op.text === '-') throw validationException(`Invalid ConditionExpression: Syntax error; token: "${op.text}"`);
    const right = p.operand();
    const value = (o: typeof left, item: Item | undefined): AttributeValue | undefined => ('value' in o ? o.value : resolve(item, o.path));
    return (item) => compare(value(left, item), op.text, value(right, item));
  };
  const condition = or();
  if (!p.atEnd()) throw validationException(`Invalid ConditionExpression: Syntax error; token: "${p.peek()?.text ?? ''}"`);
  return condition;
}

type Update = { kind: 'set'; path: string[]; value: (item: Item) => AttributeValue | undefined } | { kind: 'remove'; path: string[] };

function parseUpdate(p: Parser): Update[] {
  const updates: Update[] = [];
  while (!p.atEnd()) {
    const clause = p.next();
    if (clause.kind !== 'word' || !['SET', 'REMOVE'].includes(clause.text.toUpperCase())) {
      throw validationException(`Invalid UpdateExpression: Syntax error; token: "${clause.text}" (this fake supports SET and REMOVE)`);
    }
    do {
      if (p.peek()?.text === ',') p.next();
      const path = p.path();
      if (clause.text.toUpperCase() === 'REMOVE') {
        updates.push({ kind: 'remove', path });
        continue;
      }
      p.expect('=');
      const term = (): ((item: Item) => AttributeValue | undefined) => {
        const token = p.peek();
        if (token?.kind === 'name' && token.text === 'if_not_exists') {
          p.next();
          p.expect('(');
          const existing = p.path();
          p.expect(',');
          const fallback = p.operand();
          p.expect(')');
          return (item) => resolve(item, existing) ?? ('value' in fallback ? fallback.value : resolve(item, fallback.path));
        }
        const o = p.operand();
        return (item) => ('value' in o ? o.value : resolve(item, o.path));
      };
      let value = term();
      while (p.peek()?.text === '+' || p.peek()?.text === '-') {
        const sign = p.next().text === '+' ? 1 : -1;
        const l = value;
        const r = term();
        value = (item) => {
          const a = l(item);
          const b = r(item);
          if (a?.N === undefined || b?.N === undefined) throw validationException('Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +/-');
          return { N: String(Number(a.N) + sign * Number(b.N)) };
        };
      }
      updates.push({ kind: 'set', path, value });
    } while (p.peek()?.text === ',');
  }
  return updates;
}

function checkAllUsed(names: Record<string, string> | undefined, values: Record<string, AttributeValue> | undefined, usage: Usage): void {
  const unusedValues = Object.keys(values ?? {}).filter((k) => !usage.values.has(k));
  if (unusedValues.length > 0) throw validationException(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  const unusedNames = Object.keys(names ?? {}).filter((k) => !usage.names.has(k));
  if (unusedNames.length > 0) throw validationException(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
}

// ------------------------------------------------------------------------------- the fake

interface Table {
  readonly partitionKey: string;
  readonly ttlAttribute: string | null;
  readonly items: Map<string, Item>;
}

/** The DynamoDB fake. */
export class DynamoDbFake extends AwsFake<DynamoDBClient> {
  readonly #tables = new Map<string, Table>();

  constructor(clock: FakeClock) {
    super({ clock, source: 'test/support/dynamodb-fake.ts', client: DynamoDBClient, operations: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], mutating: ['PutItem', 'UpdateItem', 'DeleteItem'], throttlingError: throttlingException });
  }


  /** Creates a table keyed by a string partition key, with TTL on `ttlAttribute`. */
  createTable(name: string, partitionKey: string, ttlAttribute: string | null = null): void {
    this.#tables.set(name, { partitionKey, ttlAttribute, items: new Map() });
  }

  /** A stored item (expired or not), or undefined. */
  item(table: string, key: string): Item | undefined {
    const item = this.#tables.get(table)?.items.get(key);
    return item === undefined ? undefined : structuredClone(item);
  }

  /** Puts an item directly (seeding), bypassing conditions. */
  seed(table: string, item: Item): void {
    const t = this.#table(table);
    t.items.set(this.#keyOf(t, item), structuredClone(item));
  }

  /** Deletes what TTL would have deleted by now; returns how many. */
  sweepExpired(): number {
    let removed = 0;
    const now = Math.floor(this.clock.now().getTime() / 1000);
    for (const table of this.#tables.values()) {
      if (table.ttlAttribute === null) continue;
      for (const [key, item] of table.items) {
        const ttl = item[table.ttlAttribute]?.N;
        if (ttl !== undefined && Number(ttl) < now) {
          table.items.delete(key);
          removed += 1;
        }
      }
    }
    return removed;
  }

  #table(name: unknown): Table {
    const table = typeof name === 'string' ? this.#tables.get(name) : undefined;
    if (!table) throw new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: metadata(400) });
    return table;
  }

  #keyOf(table: Table, key: Item): string {
    const value = key[table.partitionKey]?.S;
    if (value === undefined) throw validationException('The provided key element does not match the schema');
    return value;
  }

  #key(table: Table, key: unknown): string {
    const k = (key ?? {}) as Item;
    if (Object.keys(k).length !== 1) throw validationException('The provided key element does not match the schema');
    return this.#keyOf(table, k);
  }

  #condition(input: Record<string, unknown>, usage: Usage): ((item: Item | undefined) => boolean) | null {
    const expression = input['ConditionExpression'];
    if (typeof expression !== 'string') return null;
    return parseCondition(new Parser(expression, (input['ExpressionAttributeNames'] ?? {}) as Record<string, string>, (input['ExpressionAttributeValues'] ?? {}) as Record<string, AttributeValue>, usage));
  }

  #failed(input: Record<string, unknown>, item: Item | undefined): ConditionalCheckFailedException {
    const withItem = input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD' && item !== undefined;
    return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: metadata(400), ...(withItem ? { Item: structuredClone(item) } : {}) });
  }

  protected dispatch(command: string, input: Record<string, unknown>): object {
    const table = this.#table(input['TableName']);
    const usage: Usage = { names: new Set(), values: new Set() };
    switch (command) {
      case 'GetItem': {
        const item = table.items.get(this.#key(table, input['Key']));
        return item === undefined ? {} : { Item: item };
      }
      case 'PutItem': {
        const next = (input['Item'] ?? {}) as Item;
        const key = this.#keyOf(table, next);
        const old = table.items.get(key);
        const condition = this.#condition(input, usage);
        checkAllUsed(input['ExpressionAttributeNames'] as Record<string, string>, input['ExpressionAttributeValues'] as Record<string, AttributeValue>, usage);
        if (condition !== null && !condition(old)) throw this.#failed(input, old);
        table.items.set(key, structuredClone(next));
        return input['ReturnValues'] === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
      }
      case 'DeleteItem': {
        const key = this.#key(table, input['Key']);
        const old = table.items.get(key);
        const condition = this.#condition(input, usage);
        checkAllUsed(input['ExpressionAttributeNames'] as Record<string, string>, input['ExpressionAttributeValues'] as Record<string, AttributeValue>, usage);
        if (condition !== null && !condition(old)) throw this.#failed(input, old);
        table.items.delete(key);
        return input['ReturnValues'] === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
      }
      case 'UpdateItem': {
        const keyItem = (input['Key'] ?? {}) as Item;
        const key = this.#key(table, keyItem);
        const old = table.items.get(key);
        const names = (input['ExpressionAttributeNames'] ?? {}) as Record<string, string>;
        const values = (input['ExpressionAttributeValues'] ?? {}) as Record<string, AttributeValue>;
        const expression = input['UpdateExpression'];
        if (typeof expression !== 'string') throw validationException('UpdateExpression: required by this fake');
        const updates = parseUpdate(new Parser(expression, names, values, usage));
        const condition = this.#condition(input, usage);
        checkAllUsed(names, values, usage);
        if (condition !== null && !condition(old)) throw this.#failed(input, old);
        const next: Item = structuredClone(old ?? keyItem);
        for (const update of updates) {
          if (update.path[0] === table.partitionKey) throw validationException(`One or more parameter values were invalid: Cannot update attribute ${table.partitionKey}. This attribute is part of the key`);
          const parent = update.path.length === 1 ? next : resolve(next, update.path.slice(0, -1))?.M;
          const leaf = update.path[update.path.length - 1] as string;
          if (parent === undefined) throw validationException('The document path provided in the update expression is invalid for update');
          if (update.kind === 'remove') delete parent[leaf];
          else {
            // Operands read the item as it was before this update.
            const value = update.value(old ?? keyItem);
            if (value === undefined) throw validationException('The provided expression refers to an attribute that does not exist in the item');
            parent[leaf] = structuredClone(value);
          }
        }
        table.items.set(key, next);
        const returns = input['ReturnValues'];
        if (returns === 'ALL_OLD') return old === undefined ? {} : { Attributes: old };
        if (returns === 'ALL_NEW') return { Attributes: next };
        return {};
      }
      default:
        throw new Error(`DynamoDbFake does not implement ${command}`);
    }
  }
}

/**
 * The project's stateful AWS fakes behind a real HTTP endpoint, for code that carries its own copy
 * of the AWS SDK (the shipped bundles), which aws-sdk-client-mock in the test process cannot reach.
 *
 * Point a process at it with `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` (SDK v3 honours the global
 * and the per-service `AWS_ENDPOINT_URL_<SERVICE>` variables:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Each request is routed
 * by the service and region of its SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`).
 *
 * - `rds` (awsQuery protocol): the form body is decoded into the operation's input with the SDK's own
 *   schema for RDS (`@aws-sdk/client-rds` exports `<Operation>$`, walked with `NormalizedSchema`), the
 *   fake's output is written back as XML by the output schema (member names, `xmlName` of list
 *   members, ISO timestamps), and a fake's RDS error becomes `<ErrorResponse>` with the error's
 *   `awsQueryError` code from its schema. Every RDS operation the schema knows is routed generically.
 * - awsJson 1.0/1.1 services (Secrets Manager, DynamoDB, CloudWatch), each a {@link JsonService} keyed by
 *   signing name: JSON in (decoded by the client's schema when given), JSON out (timestamps as epoch
 *   seconds), `__type` errors.
 * - `s3` (restXml, path style as the SDK uses with an IP endpoint): PutObject, GetObject, HeadObject,
 *   DeleteObject and ListObjectsV2, translated between HTTP (headers, query, XML) and the S3 fake's
 *   commands (test/support/s3-fake.ts), which holds the one S3 model: versions, conditional writes,
 *   checksums, Object Lock retention. Its errors become S3's `<Error>` documents with their status.
 * Anything else is answered 501 and recorded in {@link WireFake.unhandled}, so a test sees it.
 */
import * as rdsModel from '@aws-sdk/client-rds';
import { NormalizedSchema } from '@smithy/core/schema';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The entry point of a regional fake (RdsFake.handle, S3Fake.handle). */
export type RegionalHandler = (command: string, input: object, region: string) => Promise<object>;
/** The RDS entry point of the fake (RdsFake.handle). */
export type RdsHandler = RegionalHandler;
/** The S3 entry point of the fake (S3Fake.handle). */
export type S3Handler = RegionalHandler;
/** The entry point of a JSON-protocol fake (e.g. SecretsFake.handle). */
export type JsonHandler = (command: string, input: object) => Promise<object>;

/**
 * A fake of an awsJson 1.0/1.1 service (Secrets Manager, DynamoDB, CloudWatch in this SDK), keyed by
 * its SigV4 signing name. With `model` (the client package, which exports `<Operation>$` schemas),
 * timestamps and blobs of the input are decoded to Date and Uint8Array as the SDK would hand them over.
 */
export interface JsonService {
  readonly handle: JsonHandler;
  readonly model?: Record<string, unknown>;
}

type Schema = ReturnType<typeof NormalizedSchema.of>;
type Json = Record<string, unknown>;

const RDS_XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
let requestCounter = 0;
const requestId = (): string => `wire-${String((requestCounter += 1)).padStart(8, '0')}`;

/** The RDS operation schema `<Operation>$` of the SDK's model, or undefined. */
function rdsOperation(action: string): { input: Schema; output: Schema } | undefined {
  const schema = (rdsModel as unknown as Record<string, unknown>)[`${action}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) return undefined;
  const [, , , , input, output] = schema as [number, string, string, number, () => unknown, () => unknown];
  return { input: NormalizedSchema.of(input() as never), output: NormalizedSchema.of(output() as never) };
}

/** The awsQuery error code of an RDS error name (`DBSnapshotAlreadyExistsFault` -> `DBSnapshotAlreadyExists`). */
function rdsErrorCode(name: string): { code: string; status: number } {
  const schema = (rdsModel as unknown as Record<string, unknown>)[`${name}$`];
  if (Array.isArray(schema) && schema[0] === -3) {
    const traits = schema[3] as { awsQueryError?: [string, number]; httpError?: number };
    if (traits.awsQueryError) return { code: traits.awsQueryError[0], status: traits.awsQueryError[1] };
    return { code: name, status: traits.httpError ?? 400 };
  }
  return { code: name, status: 400 };
}

// ---------------------------------------------------------------- awsQuery decoding

type Tree = { [key: string]: Tree | string };

/** `A.B.1.C=v` pairs as a nested tree of strings. */
function formTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else {
        const next = node[part];
        node = typeof next === 'object' ? next : (node[part] = {});
      }
    });
  }
  return root;
}

/** Converts a form tree node to the input shape the schema describes. */
function fromForm(node: Tree | string | undefined, schema: Schema): unknown {
  if (node === undefined) return undefined;
  if (schema.isStructSchema()) {
    if (typeof node !== 'object') throw new Error(`form: expected a structure for ${schema.getName()}`);
    const out: Json = {};
    for (const [name, member] of schema.structIterator()) {
      const key = (member.getMergedTraits() as { xmlName?: string }).xmlName ?? name;
      const value = fromForm(node[key], member);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (schema.isListSchema()) {
    if (node === '') return [];
    if (typeof node !== 'object') throw new Error('form: expected a list');
    const flattened = (schema.getMergedTraits() as { xmlFlattened?: unknown }).xmlFlattened !== undefined;
    const memberName = (schema.getValueSchema().getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    const items = flattened ? node : node[memberName];
    if (items === undefined || typeof items !== 'object') return [];
    return Object.keys(items)
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => fromForm(items[String(i)], schema.getValueSchema()));
  }
  if (schema.isMapSchema()) throw new Error('form: map members are not supported');
  if (typeof node !== 'string') throw new Error(`form: expected a scalar for ${schema.getName() ?? 'member'}`);
  if (schema.isTimestampSchema()) return new Date(node);
  if (schema.isBooleanSchema()) return node === 'true';
  if (schema.isNumericSchema()) return Number(node);
  if (schema.isBlobSchema()) return Buffer.from(node, 'base64');
  return node;
}

// ---------------------------------------------------------------- XML encoding

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function scalarXml(value: unknown, schema: Schema): string {
  if (schema.isTimestampSchema()) return value instanceof Date ? value.toISOString() : escapeXml(String(value));
  if (schema.isBlobSchema()) return Buffer.from(value as Uint8Array).toString('base64');
  return escapeXml(String(value));
}

/** The members of a structure as XML elements, by the schema. */
function membersXml(value: Json, schema: Schema): string {
  let out = '';
  for (const [name, member] of schema.structIterator()) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += elementXml(v, member, (member.getMergedTraits() as { xmlName?: string }).xmlName ?? name);
  }
  return out;
}

function elementXml(value: unknown, schema: Schema, name: string): string {
  if (schema.isStructSchema()) return `<${name}>${membersXml(value as Json, schema)}</${name}>`;
  if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    const items = value as unknown[];
    if ((schema.getMergedTraits() as { xmlFlattened?: unknown }).xmlFlattened !== undefined) return items.map((v) => elementXml(v, item, name)).join('');
    const memberName = (item.getMergedTraits() as { xmlName?: string }).xmlName ?? 'member';
    return `<${name}>${items.map((v) => elementXml(v, item, memberName)).join('')}</${name}>`;
  }
  if (schema.isMapSchema()) {
    const entries = Object.entries(value as Json);
    return `<${name}>${entries.map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${elementXml(v, schema.getValueSchema(), 'value')}</entry>`).join('')}</${name}>`;
  }
  return `<${name}>${scalarXml(value, schema)}</${name}>`;
}

// ---------------------------------------------------------------- JSON encoding

/** awsJson input to SDK shapes by the schema: epoch-second timestamps to Date, base64 blobs to bytes. */
function fromAwsJson(value: unknown, schema: Schema): unknown {
  if (value === undefined || value === null) return value;
  if (schema.isStructSchema()) {
    const object = value as Json;
    const out: Json = {};
    for (const [name, member] of schema.structIterator()) if (object[name] !== undefined) out[name] = fromAwsJson(object[name], member);
    return out;
  }
  if (schema.isListSchema()) return (value as unknown[]).map((v) => fromAwsJson(v, schema.getValueSchema()));
  if (schema.isMapSchema()) return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, fromAwsJson(v, schema.getValueSchema())]));
  if (schema.isTimestampSchema()) return typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  if (schema.isBlobSchema()) return Buffer.from(String(value), 'base64');
  return value;
}

/** The input schema of an operation in a client package's model. */
function inputSchema(model: Record<string, unknown> | undefined, operation: string): Schema | undefined {
  const schema = model?.[`${operation}$`];
  if (!Array.isArray(schema) || schema[0] !== 9) return undefined;
  return NormalizedSchema.of((schema[4] as () => unknown)() as never);
}

/** SDK-shaped output as awsJson: Dates as epoch seconds, bytes as base64, `$metadata` dropped. */
function toAwsJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toAwsJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Json).filter(([k, v]) => k !== '$metadata' && v !== undefined).map(([k, v]) => [k, toAwsJson(v)]));
  }
  return value;
}

// ---------------------------------------------------------------- the server

/** A request the fake could not answer. */
export interface UnhandledRequest {
  readonly service: string;
  readonly region: string;
  readonly what: string;
}

/** The wire fake. */
export class WireFake {
  readonly #rds: RdsHandler | undefined;
  readonly #json: Readonly<Record<string, JsonService>>;
  readonly #s3: S3Handler | undefined;
  /** Requests answered 501 (not implemented) or 500 (the fake itself threw a non-AWS error). */
  readonly unhandled: UnhandledRequest[] = [];
  /** Every request, as `service:region:operation`. */
  readonly requests: string[] = [];
  #server: Server | undefined;

  constructor(fakes: { rds?: RdsHandler; json?: Readonly<Record<string, JsonService>>; s3?: S3Handler }) {
    this.#rds = fakes.rds;
    this.#json = fakes.json ?? {};
    this.#s3 = fakes.s3;
  }

  /** Starts listening on 127.0.0.1 (a free port); returns the endpoint URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.#serve(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
    const [region, service] = [scope?.[1] ?? 'unknown', scope?.[2] ?? 'unknown'];
    if (service === 'rds') return this.#serveRds(region, body, res);
    if (String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-')) return this.#serveJson(service, region, String(req.headers['x-amz-target'] ?? ''), body, res);
    if (service === 's3') return this.#serveS3(region, req, body, res);
    this.#unhandled(res, { service, region, what: `${req.method} ${req.url}` });
  }

  #unhandled(res: ServerResponse, request: UnhandledRequest): void {
    this.unhandled.push(request);
    res.writeHead(501, { 'content-type': 'text/plain' }).end(`wire fake: ${request.service} ${request.what} is not implemented`);
  }

  async #serveRds(region: string, body: Buffer, res: ServerResponse): Promise<void> {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    this.requests.push(`rds:${region}:${action}`);
    const operation = rdsOperation(action);
    if (!operation || !this.#rds) return this.#unhandled(res, { service: 'rds', region, what: action });
    const input = fromForm(formTree(params), operation.input) as Json;
    let output: object;
    try {
      output = await this.#rds(action, input, region);
    } catch (error) {
      const e = error as Error & { $fault?: string };
      if (e.$fault === undefined) {
        // Not an RDS error: a fake that cannot answer. Loud, and recorded.
        this.unhandled.push({ service: 'rds', region, what: `${action}: ${e.message}` });
        res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message);
        return;
      }
      const { code, status } = rdsErrorCode(e.name);
      const type = e.$fault === 'server' ? 'Receiver' : 'Sender';
      res
        .writeHead(status, { 'content-type': 'text/xml' })
        .end(`<ErrorResponse xmlns="${RDS_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`);
      return;
    }
    const result = membersXml(output as Json, operation.output);
    res
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(`<${action}Response xmlns="${RDS_XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`);
  }

  async #serveJson(service: string, region: string, target: string, body: Buffer, res: ServerResponse): Promise<void> {
    const operation = target.split('.').at(-1) ?? '';
    this.requests.push(`${service}:${region}:${operation}`);
    const fake = this.#json[service];
    if (!fake) return this.#unhandled(res, { service, region, what: operation });
    const contentType = String(res.req.headers['content-type']);
    try {
      const raw = JSON.parse(body.toString('utf8') || '{}') as object;
      const schema = inputSchema(fake.model, operation);
      const output = await fake.handle(operation, (schema ? fromAwsJson(raw, schema) : raw) as object);
      res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(toAwsJson(output)));
    } catch (error) {
      const e = error as Error & { $fault?: string };
      if (e.$fault === undefined) {
        this.unhandled.push({ service, region, what: `${operation}: ${e.message}` });
        res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message);
        return;
      }
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 400;
      res.writeHead(status >= 400 ? status : 400, { 'content-type': contentType, 'x-amzn-errortype': e.name }).end(JSON.stringify({ __type: e.name, message: e.message }));
    }
  }

  async #serveS3(region: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const request = s3Request(req, body);
    if (!request) return this.#unhandled(res, { service: 's3', region, what: `${req.method} ${req.url}` });
    this.requests.push(`s3:${region}:${request.operation}`);
    if (!this.#s3) return this.#unhandled(res, { service: 's3', region, what: request.operation });
    let output: Json;
    try {
      output = (await this.#s3(request.operation, request.input, region)) as Json;
    } catch (error) {
      const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
      if (e.$fault === undefined) {
        this.unhandled.push({ service: 's3', region, what: `${request.operation}: ${e.message}` });
        res.writeHead(500, { 'content-type': 'text/plain' }).end(e.message);
        return;
      }
      const status = e.$metadata?.httpStatusCode ?? 400;
      // A HEAD answer has no body: the SDK names the error by its status (404 NotFound).
      if (req.method === 'HEAD') return void res.writeHead(status, { 'x-amz-request-id': requestId() }).end();
      const key = String(request.input['Key'] ?? '');
      res
        .writeHead(status, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(e.name)}</Code><Message>${escapeXml(e.message)}</Message><Key>${escapeXml(key)}</Key><RequestId>${requestId()}</RequestId></Error>`);
      return;
    }
    if (request.operation === 'ListObjectsV2') {
      return void res.writeHead(200, { 'content-type': 'application/xml' }).end(listXml(output));
    }
    const headers = s3Headers(output);
    if (request.operation === 'DeleteObject') return void res.writeHead(204, headers).end();
    const data = output['Body'] as { transformToByteArray?: () => Promise<Uint8Array> } | Uint8Array | undefined;
    const bytes = data === undefined ? undefined : data instanceof Uint8Array ? data : await data.transformToByteArray?.();
    if (request.operation === 'HeadObject' || bytes === undefined) return void res.writeHead(200, headers).end();
    res.writeHead(200, headers).end(Buffer.from(bytes));
  }
}

/** An S3 request (path style) as the S3 fake's command and input; undefined for what the fake does not model. */
function s3Request(req: IncomingMessage, body: Buffer): { operation: string; input: Json } | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const query = new Map([...url.searchParams].filter(([k]) => k !== 'x-id'));
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return value === undefined ? undefined : String(value);
  };
  const defined = (input: Json): Json => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const versionId = query.get('versionId');
  if (key === '') {
    if (req.method !== 'GET' || query.get('list-type') !== '2') return undefined;
    const maxKeys = query.get('max-keys');
    return {
      operation: 'ListObjectsV2',
      input: defined({ Bucket: bucket, Prefix: query.get('prefix'), StartAfter: query.get('start-after'), ContinuationToken: query.get('continuation-token'), MaxKeys: maxKeys === undefined ? undefined : Number(maxKeys) }),
    };
  }
  if ([...query.keys()].some((k) => k !== 'versionId')) return undefined;
  switch (req.method) {
    case 'PUT': {
      if (versionId !== undefined) return undefined;
      const { payload, trailers } = decodeAwsChunked(body, req);
      const until = header('x-amz-object-lock-retain-until-date');
      const metadata = Object.fromEntries(Object.entries(req.headers).filter(([h]) => h.startsWith('x-amz-meta-')).map(([h, v]) => [h.slice('x-amz-meta-'.length), String(v)]));
      return {
        operation: 'PutObject',
        input: defined({
          Bucket: bucket,
          Key: key,
          Body: payload,
          ContentType: header('content-type'),
          ContentMD5: header('content-md5'),
          ChecksumSHA256: header('x-amz-checksum-sha256') ?? trailers['x-amz-checksum-sha256'],
          ChecksumAlgorithm: header('x-amz-sdk-checksum-algorithm'),
          IfNoneMatch: header('if-none-match'),
          ObjectLockMode: header('x-amz-object-lock-mode'),
          ObjectLockRetainUntilDate: until === undefined ? undefined : new Date(until),
          Metadata: metadata,
        }),
      };
    }
    case 'GET':
      return { operation: 'GetObject', input: defined({ Bucket: bucket, Key: key, VersionId: versionId }) };
    case 'HEAD':
      return { operation: 'HeadObject', input: defined({ Bucket: bucket, Key: key, VersionId: versionId }) };
    case 'DELETE':
      return {
        operation: 'DeleteObject',
        input: defined({ Bucket: bucket, Key: key, VersionId: versionId, BypassGovernanceRetention: header('x-amz-bypass-governance-retention') === 'true' ? true : undefined }),
      };
    default:
      return undefined;
  }
}

/** The response headers of an object operation's output (restXml binds these members to headers). */
function s3Headers(output: Json): Record<string, string | number> {
  const headers: Record<string, string | number | undefined> = {
    'x-amz-request-id': requestId(),
    'content-type': output['ContentType'] as string | undefined,
    'content-length': output['ContentLength'] as number | undefined,
    etag: output['ETag'] as string | undefined,
    'last-modified': output['LastModified'] instanceof Date ? output['LastModified'].toUTCString() : undefined,
    'x-amz-version-id': output['VersionId'] as string | undefined,
    'x-amz-delete-marker': output['DeleteMarker'] === true ? 'true' : undefined,
    'x-amz-checksum-sha256': output['ChecksumSHA256'] as string | undefined,
    'x-amz-object-lock-mode': output['ObjectLockMode'] as string | undefined,
    'x-amz-object-lock-retain-until-date': output['ObjectLockRetainUntilDate'] instanceof Date ? output['ObjectLockRetainUntilDate'].toISOString() : undefined,
  };
  for (const [name, value] of Object.entries((output['Metadata'] ?? {}) as Record<string, string>)) headers[`x-amz-meta-${name}`] = value;
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}

/** ListObjectsV2's output as S3's `ListBucketResult` document. */
function listXml(output: Json): string {
  const element = (name: string, value: unknown): string => (value === undefined ? '' : `<${name}>${escapeXml(value instanceof Date ? value.toISOString() : String(value))}</${name}>`);
  const contents = ((output['Contents'] ?? []) as Json[])
    .map((o) => `<Contents>${element('Key', o['Key'])}${element('LastModified', o['LastModified'])}${element('ETag', o['ETag'])}${element('Size', o['Size'])}${element('StorageClass', o['StorageClass'])}</Contents>`)
    .join('');
  const fields = ['Name', 'Prefix', 'StartAfter', 'ContinuationToken', 'NextContinuationToken', 'KeyCount', 'MaxKeys', 'IsTruncated'].map((name) => element(name, output[name])).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${fields}${contents}</ListBucketResult>`;
}

/**
 * The payload of an `aws-chunked` body (streaming uploads with trailing checksums) and its trailers
 * (e.g. `x-amz-checksum-sha256`); other bodies as they are, without trailers.
 */
function decodeAwsChunked(body: Buffer, req: IncomingMessage): { payload: Buffer; trailers: Record<string, string> } {
  if (!String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return { payload: body, trailers: {} };
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '0', 16);
    if (!size) {
      offset = lineEnd + 2;
      break;
    }
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(parts), trailers };
}

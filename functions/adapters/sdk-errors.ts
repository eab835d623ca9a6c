/**
 * What an AWS error means to the DR system: one table for every AWS adapter, and one
 * {@link translate} that turns an SDK error into a typed error of `shared/errors.ts` (keeping the
 * SDK error as `cause`), so the ASL files and the domain only ever see our names.
 *
 * Names are the SDK's own: the `name` of a modeled exception class (`models/errors.d.ts` of each
 * installed `@aws-sdk/client-*`), or, for an error the service model does not declare, the wire
 * code the SDK keeps as `name` (RDS `Throttling`, S3 `PreconditionFailed` and `SlowDown`, every
 * EC2 error: client-ec2 models none). Throttling codes follow the SDK's own retry classification
 * (`THROTTLING_ERROR_CODES` in @smithy/core's service-error-classification), narrowed to what each
 * service sends; a name left out of a service's table means nothing to us and is not translated
 * unless the adapter says what every other refusal means ({@link TranslateContext.otherwise}).
 */
import {
  AccessDeniedError,
  AlreadyArchivedError,
  ConfigurationError,
  DatabaseAlreadyExistsError,
  DatabaseNotAvailableError,
  DatabaseNotFoundError,
  type DrError,
  InstanceQuotaExceededError,
  KmsKeyNotAccessibleError,
  markUnreachable,
  NotArchivedError,
  RestoreWindowError,
  SnapshotAlreadyExistsError,
  SnapshotNotAvailableError,
  SnapshotNotFoundError,
  SnapshotQuotaExceededError,
  ThrottledError,
} from '../shared/errors.ts';

/** A typed error class of `shared/errors.ts` with the base constructor. */
export type ErrorClass = new (message: string, options?: ErrorOptions) => DrError;

/** The services the adapters call. */
export type AwsService = 'rds' | 'dynamodb' | 'ec2' | 's3' | 'route53' | 'secretsmanager' | 'sns' | 'cloudwatch';

/**
 * A name whose meaning is "the service did not do its part" (a server fault, a timeout): the
 * adapter's {@link TranslateContext.unreachable} error, where it has one.
 */
export const UNREACHABLE = 'unreachable';

/** What one error name means: a typed error, or {@link UNREACHABLE}. */
export type Meaning = ErrorClass | typeof UNREACHABLE;

/** How one service's errors read. */
export interface ServiceErrors {
  /** The suffix the SDK's modeled class name adds to the wire code (RDS `DBSnapshotNotFoundFault` / `DBSnapshotNotFound`), dropped before the lookup. */
  readonly modeledSuffix?: string;
  /** Error name (without {@link modeledSuffix}) → its meaning. */
  readonly names: Readonly<Record<string, Meaning>>;
}

/** The names of one service that mean "try again later" (ThrottledError: the ASL files retry it). */
function retryLater(...names: string[]): Record<string, Meaning> {
  return Object.fromEntries(names.map((name) => [name, ThrottledError]));
}

/** The table: per service, the names that mean something to the DR system. */
export const SERVICE_ERRORS: Readonly<Record<AwsService, ServiceErrors>> = {
  rds: {
    // RDS faults are modeled as `<Code>Fault`; a fault the SDK does not model keeps its wire code.
    modeledSuffix: 'Fault',
    names: {
      DBInstanceNotFound: DatabaseNotFoundError,
      DBClusterNotFound: DatabaseNotFoundError,
      DBSnapshotNotFound: SnapshotNotFoundError,
      DBClusterSnapshotNotFound: SnapshotNotFoundError,
      DBSnapshotAlreadyExists: SnapshotAlreadyExistsError,
      DBClusterSnapshotAlreadyExists: SnapshotAlreadyExistsError,
      SnapshotQuotaExceeded: SnapshotQuotaExceededError,
      InvalidDBInstanceState: DatabaseNotAvailableError,
      InvalidDBClusterState: DatabaseNotAvailableError,
      InvalidDBSnapshotState: SnapshotNotAvailableError,
      InvalidDBClusterSnapshotState: SnapshotNotAvailableError,
      KMSKeyNotAccessible: KmsKeyNotAccessibleError,
      DBInstanceAlreadyExists: DatabaseAlreadyExistsError,
      DBClusterAlreadyExists: DatabaseAlreadyExistsError,
      InstanceQuotaExceeded: InstanceQuotaExceededError,
      DBClusterQuotaExceeded: InstanceQuotaExceededError,
      PointInTimeRestoreNotEnabled: RestoreWindowError,
      InvalidRestore: RestoreWindowError,
      // Not modeled: the common AWS error codes for an IAM refusal.
      AccessDenied: AccessDeniedError,
      AccessDeniedException: AccessDeniedError,
      // The RDS API answers `Throttling` ("Request throttling for the Amazon RDS API", RDS User
      // Guide); the others are the generic AWS throttling codes.
      ...retryLater('Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'),
    },
  },
  dynamodb: {
    names: {
      // "Error handling with DynamoDB" (DynamoDB Developer Guide): these are safe to retry.
      ...retryLater('ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'InternalServerError', 'TransactionConflictException'),
      // The table is part of the deployment: its absence is a configuration fault. (A failed
      // condition, ConditionalCheckFailedException, is an answer the lock adapter reads itself.)
      ResourceNotFoundException: ConfigurationError,
    },
  },
  ec2: {
    // client-ec2 models no exception: every name is an EC2 error code (EC2 API reference, "Error codes").
    names: {
      ...retryLater('RequestLimitExceeded', 'Throttling'),
      // Server errors: the service did not do its part.
      Unavailable: UNREACHABLE,
      InternalError: UNREACHABLE,
      ServiceUnavailable: UNREACHABLE,
      InsufficientInstanceCapacity: UNREACHABLE,
    },
  },
  s3: {
    names: {
      // Not modeled: the 412 of a conditional write (`If-None-Match: *`) whose key exists
      // (S3 User Guide, "Conditional writes").
      PreconditionFailed: AlreadyArchivedError,
      NoSuchKey: NotArchivedError,
      // Not modeled either: the 409 of a conditional write that raced another operation on the key;
      // "On a 409 failure you should retry the upload" (PutObject API reference, If-None-Match). The
      // retry then meets the winner's object as PreconditionFailed.
      ...retryLater('SlowDown', 'ThrottlingException', 'ConditionalRequestConflict'),
      // A 400 that asks for a retry: "Your socket connection to the server was not read from or
      // written to within the timeout period" (S3 API reference, "Error responses").
      RequestTimeout: UNREACHABLE,
    },
  },
  route53: {
    // `PriorRequestNotComplete`: a change to the zone is still being processed; `Throttling` is the
    // wire code of "Rate exceeded"; `ThrottlingException` is modeled.
    names: retryLater('PriorRequestNotComplete', 'Throttling', 'ThrottlingException'),
  },
  secretsmanager: {
    names: retryLater('ThrottlingException', 'InternalServiceError'),
  },
  sns: {
    names: retryLater('ThrottledException', 'InternalErrorException', 'KMSThrottlingException'),
  },
  cloudwatch: {
    // `Throttling` and `LimitExceeded` are wire codes; `LimitExceededException`, `InternalServiceFault` are modeled.
    names: retryLater('Throttling', 'ThrottlingException', 'LimitExceeded', 'LimitExceededException', 'InternalServiceFault'),
  },
};

/**
 * SDK and Node names or codes of a request that got no usable answer: the SDK's transient codes
 * (`TimeoutError`, `RequestTimeout`, `RequestTimeoutException`), its networking error, the
 * generic server-side codes (`InternalFailure`, `ServiceUnavailable`), and Node's connection and
 * DNS error codes (smithy's `NODEJS_TIMEOUT_ERROR_CODES` and `NODEJS_NETWORK_ERROR_CODES`).
 */
const NO_ANSWER: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'InternalFailure',
  'ServiceUnavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

type RawSdkError = Error & { code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };

/**
 * Whether the service (or the way to it) failed rather than the request: a 5xx answer
 * (`$fault: 'server'`), or no HTTP answer at all for a network reason (a timeout, a refused or
 * reset connection, DNS). A region outage looks like this. An answer that refuses (4xx) is not,
 * nor is an error that is no SDK error (a bug is not an outage).
 */
export function regionUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const raw = error as RawSdkError;
  const status = raw.$metadata?.httpStatusCode;
  if (raw.$fault === 'server' || (status !== undefined && status >= 500)) return true;
  return status === undefined && (NO_ANSWER.has(raw.name) || (raw.code !== undefined && NO_ANSWER.has(raw.code)));
}

/** What the adapter was doing, and what the errors its table leaves open mean to it. */
export interface TranslateContext {
  readonly service: AwsService;
  /** What was being done, the message's prefix: `DescribeDBInstances`, `Publish to <topic ARN>`. */
  readonly action: string;
  /** The typed error when the service could not be reached ({@link regionUnreachable}, or a name meaning {@link UNREACHABLE}); absent: as {@link otherwise}. */
  readonly unreachable?: ErrorClass;
  /** The typed error for every other error of the service (the service answered and refused); absent: it passes unchanged. */
  readonly otherwise?: ErrorClass;
  /**
   * Whether any error without an HTTP answer counts as the service not reached, not only the
   * network and timeout names {@link regionUnreachable} knows: for a caller to whom "could not tell"
   * must read as unreachable (the fence: in a region outage the failover proceeds unfenced, however
   * the lost connection surfaces, e.g. `ECONNABORTED`, `ENETDOWN`, a TLS error).
   * @default false
   */
  readonly noAnswerIsUnreachable?: boolean;
  /**
   * The adapter's own message for a typed error (naming its resource its own way), instead of
   * `<action>: <error name>: <error message>`; undefined keeps that.
   */
  readonly message?: (typed: ErrorClass, error: Error) => string | undefined;
}

/** The meaning of an SDK error for the service, by its name; undefined when the table names none. */
export function meaningOf(service: AwsService, error: Error): Meaning | undefined {
  const table = SERVICE_ERRORS[service];
  const name = table.modeledSuffix !== undefined && error.name.endsWith(table.modeledSuffix) ? error.name.slice(0, -table.modeledSuffix.length) : error.name;
  return Object.hasOwn(table.names, name) ? table.names[name] : undefined;
}

/**
 * The typed error an SDK error means, keeping it as `cause`: the service's table first, then
 * an unreachable service, then what every other refusal means to the adapter. A non-Error, or
 * an error that means nothing here, is returned unchanged (the caller rethrows it), marked
 * (`markUnreachable`) when the service could not be reached.
 */
export function translate(error: unknown, context: TranslateContext): unknown {
  if (!(error instanceof Error)) return error;
  const meaning = meaningOf(context.service, error);
  const unanswered = context.noAnswerIsUnreachable === true && (error as RawSdkError).$metadata?.httpStatusCode === undefined;
  const typed = typeof meaning === 'function' ? meaning : meaning === UNREACHABLE || regionUnreachable(error) || unanswered ? (context.unreachable ?? context.otherwise) : context.otherwise;
  // Passed on unchanged, it still tells the domain whether the service answered (shared/errors.ts, isUnreachable).
  if (typed === undefined) return regionUnreachable(error) ? markUnreachable(error) : error;
  const message = context.message?.(typed, error) ?? `${context.action}: ${error.name}: ${error.message}`;
  return new typed(message, { cause: error });
}

/** Runs one AWS call, throwing {@link translate}'s typed error when it fails. */
export async function send<T>(context: TranslateContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translate(error, context);
  }
}

import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqlConnectionError, SqlQueryError, ValidationError } from '../../functions/shared/errors.ts';
import { drHandler, errorFields } from '../../functions/shared/handler.ts';
import { logger } from '../../functions/shared/powertools.ts';

// The shared middy wiring of every handler (functions/shared/handler.ts).
const context = { functionName: 'swifteats-test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:swifteats-backup:run-1';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('drHandler', () => {
  it('rethrows the very error object the core threw, logged once with its name and structured fields', async () => {
    // Prepare
    const thrown = new ValidationError(['event.region: required, one of primary, dr']);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const handler = drHandler({ name: 'retention', database: 'swifteats', metrics: false }, () => Promise.reject(thrown));
    // Act
    const caught = await handler({}, context).catch((e: unknown) => e);
    // Assess
    expect(caught).toBe(thrown);
    expect((caught as Error).name).toBe('ValidationError');
    expect(error.mock.calls).toEqual([
      [
        'retention λ: ValidationError: 1 problem(s): event.region: required, one of primary, dr',
        { error: { name: 'ValidationError', message: '1 problem(s): event.region: required, one of primary, dr', problems: ['event.region: required, one of primary, dr'] } },
      ],
    ]);
  });

  it('logs a typed error\'s own fields and its cause', () => {
    const error = new SqlQueryError('permission denied for table orders', '42501', { cause: new SqlConnectionError('lost') });
    expect(errorFields(error)).toEqual({ name: 'SqlQueryError', message: 'permission denied for table orders', sqlState: '42501', cause: { name: 'SqlConnectionError', message: 'lost' } });
  });

  it('logs an untyped error apart, and still rethrows it unchanged', async () => {
    const thrown = new TypeError('x is undefined');
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const handler = drHandler({ name: 'probe', database: 'swifteats', metrics: false }, () => Promise.reject(thrown));
    await expect(handler({}, context)).rejects.toBe(thrown);
    expect(error.mock.calls).toEqual([['probe λ: untyped error', thrown]]);
  });

  it('appends database, the event\'s executionArn and the handler\'s keys; a default executionArn without one', async () => {
    // Prepare
    const append = vi.spyOn(logger, 'appendKeys');
    const seen: unknown[] = [];
    const handler = drHandler({ name: 'manifest', database: 'swifteats', keys: { snapshotId: null }, metrics: false }, async (event) => {
      seen.push(event);
      return 'done';
    });
    // Act
    const first = await handler({ snapshotId: 'swifteats-daily-202612020200', executionArn: ARN }, context);
    const second = await handler({ snapshotId: 42 }, context);
    // Assess
    expect([first, second]).toEqual(['done', 'done']);
    expect(seen).toEqual([{ snapshotId: 'swifteats-daily-202612020200', executionArn: ARN }, { snapshotId: 42 }]);
    expect(append.mock.calls).toEqual([
      [{ database: 'swifteats', executionArn: ARN, snapshotId: 'swifteats-daily-202612020200' }],
      [{ database: 'swifteats', executionArn: 'manual' }],
    ]);
  });

  it('takes another default executionArn, or none', async () => {
    const append = vi.spyOn(logger, 'appendKeys');
    await drHandler({ name: 'probe', database: 'swifteats', executionArn: 'scheduled', metrics: false }, async () => null)({ mode: 'monitor' }, context);
    const monitor = drHandler({ name: 'rpo-monitor', database: 'swifteats', executionArn: null, keys: { scheduledAt: 'manual' }, metrics: false }, async () => null);
    await monitor({ scheduledAt: '2026-12-02T02:00:00Z' }, context);
    await monitor({}, context);
    expect(append.mock.calls).toEqual([[{ database: 'swifteats', executionArn: 'scheduled' }], [{ database: 'swifteats', scheduledAt: '2026-12-02T02:00:00Z' }], [{ database: 'swifteats', scheduledAt: 'manual' }]]);
  });
});

import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/shared/errors.ts';

type ErrorClass = new (...args: unknown[]) => Error;
const classes = Object.entries(errors as Record<string, unknown>).filter((entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error);

describe('error names', () => {
  it('every error class carries its own name as a literal (the subclass field wins over the base class)', () => {
    expect(classes.length).toBeGreaterThanOrEqual(36);
    for (const [exported, cls] of classes) {
      const error = exported === 'ValidationError' ? new cls(['x: bad']) : new cls('message', null);
      expect(error.name, exported).toBe(exported);
      expect(error).toBeInstanceOf(errors.DrError);
      expect(String(error).startsWith(`${exported}: `), exported).toBe(true);
    }
  });

  it('declares each name in the class body, not from the class itself (minified bundles rename classes)', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(new URL('../../functions/shared/errors.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/this\.name\s*=/);
    for (const [exported] of classes) expect(source, exported).toContain(`override readonly name: string = '${exported}';`);
  });
});

/**
 * restoreTest.exactCounts.tables reaches the two functions that read the row-count ledger (reading A
 * and the restore test), and only when configured: without it their environment is as before.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../support/synth.ts';

function environment(template: Template, description: RegExp): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } });
  const found = Object.values(fns) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
  expect(found).toHaveLength(1);
  return found[0]!.Properties.Environment.Variables;
}

describe('exact mode configuration', () => {
  it('passes the configured tables to the manifest and verify functions as EXACT_COUNT_TABLES, and nothing when none is configured', () => {
    const on = Template.fromStack(synthesize({ restoreTest: { exactCounts: { tables: ['shop.orders', 'shop.order_items'] } } }).stacks.automation);
    const off = Template.fromStack(synthesize({}).stacks.automation);
    for (const description of [/^Capture the database manifest/, /^Restore-test SQL checks/]) {
      expect(environment(on, description)['EXACT_COUNT_TABLES']).toBe('["shop.orders","shop.order_items"]');
      expect(environment(off, description)).not.toHaveProperty('EXACT_COUNT_TABLES');
    }
    const withTables = Object.values(on.findResources('AWS::Lambda::Function')).filter(
      (fn) => (fn as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables['EXACT_COUNT_TABLES'] !== undefined,
    );
    expect(withTables).toHaveLength(2);
  });
});

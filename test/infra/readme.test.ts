import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDoc, readmeCounts, type ReadmeCounts } from '../support/docs.ts';
import { synthesize, type Synthesized } from '../support/synth.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

// README.md states these counts of the default deployment in prose; each is read from README.md, so
// changing the deployment without the README (or the reverse) fails here.
describe('README.md against the synthesized default deployment', () => {
  let synth: Synthesized;
  let readme: ReadmeCounts;
  let templates: Template[];
  beforeAll(() => {
    synth = synthesize({});
    readme = readmeCounts();
    templates = [synth.stacks.drRegion, synth.stacks.database, synth.stacks.automation].flatMap((s) => (s === null ? [] : [Template.fromStack(s)]));
  }, 120_000);

  const count = (type: string, filter: (r: Resource) => boolean = () => true): number =>
    templates.reduce((n, t) => n + (Object.values(t.findResources(type)) as Resource[]).filter(filter).length, 0);

  it('states the number of stacks and which have termination protection', () => {
    const stacks = [synth.stacks.drRegion, synth.stacks.database, synth.stacks.automation].filter((s) => s !== null);
    expect(stacks).toHaveLength(readme.stacks);
    expect(stacks.filter((s) => s.terminationProtection).map((s) => s.stackName)).toEqual(['Dr-swifteats-DrRegion', 'Dr-swifteats-Database']);
    expect(stacks.filter((s) => s.terminationProtection)).toHaveLength(readme.terminationProtected);
  });

  it('states the number of customer-managed KMS keys', () => {
    expect(count('AWS::KMS::Key')).toBe(readme.kmsKeys);
    expect(count('AWS::KMS::Key')).toBe(5);
  });

  it('states the number of interface VPC endpoints', () => {
    expect(count('AWS::EC2::VPCEndpoint', (r) => r.Properties['VpcEndpointType'] === 'Interface')).toBe(readme.interfaceEndpoints);
  });

  it('states the archive bucket COMPLIANCE Object Lock period in Destroy', () => {
    const locked = (templates.flatMap((t) => Object.values(t.findResources('AWS::S3::Bucket'))) as Resource[]).filter((b) => b.Properties['ObjectLockEnabled'] === true);
    expect(locked.map((b) => b.Properties['ObjectLockConfiguration'])).toEqual([{ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Days: readme.archiveLockDays, Mode: 'COMPLIANCE' } } }]);
  });

  it('names the CLI as npm run dr, never node cli/dr.ts (the machines run Node 20)', () => {
    for (const doc of ['README.md', 'docs/operations.md', 'docs/runbook.md', 'docs/restore.md', 'docs/failover.md', 'docs/backups.md']) {
      expect({ doc, cites: readDoc(doc).includes('node cli/dr.ts') }).toEqual({ doc, cites: false });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { synthesize } from '../support/synth.ts';

type Resource = { Properties: Record<string, unknown> };

describe('protected database: multi-az-cluster', () => {
  it('sets no EnableIAMDatabaseAuthentication on the Multi-AZ DB cluster (CloudFormation: Aurora DB clusters only; nothing here signs IAM tokens)', () => {
    // Prepare
    const synth = synthesize({ database: { topology: 'multi-az-cluster' } });
    // Act
    const clusters = Object.values(synth.database.findResources('AWS::RDS::DBCluster')) as Resource[];
    // Assess
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.Properties['Engine']).toBe('postgres');
    expect(Object.keys(clusters[0]?.Properties ?? {})).not.toContain('EnableIAMDatabaseAuthentication');
  });
});

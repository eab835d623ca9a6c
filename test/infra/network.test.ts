import { build } from 'esbuild';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { handlerEntry } from '../../infra/constructs/dr-function.ts';
import { synthesize } from '../support/synth.ts';

/** The VPC endpoint service each AWS SDK client reaches (`com.amazonaws.<region>.<service>`). */
const ENDPOINT_SERVICE: Readonly<Record<string, string>> = {
  'client-cloudwatch': 'monitoring',
  'client-dynamodb': 'dynamodb',
  'client-ec2': 'ec2',
  'client-rds': 'rds',
  'client-route-53': 'route53',
  'client-s3': 's3',
  'client-secrets-manager': 'secretsmanager',
  'client-sfn': 'states',
  'client-sns': 'sns',
};

/** The SDK clients a handler's bundle really contains (what esbuild pulls in from its imports). */
async function sdkClients(handler: string): Promise<string[]> {
  const result = await build({
    entryPoints: [handlerEntry(handler)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    external: ['pg-native'],
  });
  const clients = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (match) clients.add(match[1] as string);
  }
  return [...clients].sort();
}

/** `secretsmanager` of `com.amazonaws.<region>.secretsmanager`, literal or joined with the region token. */
function serviceOf(name: unknown): string {
  const text = typeof name === 'string' ? name : JSON.stringify(name);
  return /\.([a-z0-9-]+)"?\]*\}?$/.exec(text)?.[1] ?? text;
}

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('network: VPC endpoints', () => {
  it('has an interface endpoint for exactly the services the in-VPC functions call (S3 through the gateway)', async () => {
    // Prepare
    const synth = synthesize();
    const resources = (Template.fromStack(synth.stacks.automation).toJSON() as { Resources: Record<string, Resource> }).Resources;
    const roles = new Map(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id, r]) => [id, String(r.Properties['Description'])]));
    const inVpc = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties['VpcConfig'] !== undefined)
      .map((r) => {
        const roleId = ((r.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];
        return (roles.get(roleId) ?? '').split(' ')[0] as string;
      })
      .sort();
    const called = new Set<string>();
    for (const handler of inVpc) for (const client of await sdkClients(handler)) called.add(ENDPOINT_SERVICE[client] ?? client);
    called.delete('s3'); // the S3 gateway endpoint
    const endpoints = Object.values(synth.database.findResources('AWS::EC2::VPCEndpoint') as Record<string, Resource>);
    const interfaces = endpoints
      .filter((e) => e.Properties['VpcEndpointType'] === 'Interface')
      .map((e) => serviceOf(e.Properties['ServiceName']))
      .sort();
    const gateways = endpoints.filter((e) => e.Properties['VpcEndpointType'] === 'Gateway').length;
    // Assess
    expect(inVpc).toEqual(['manifest', 'probe', 'verify']);
    expect(interfaces).toEqual([...called].sort());
    expect(interfaces).toEqual(['secretsmanager']);
    expect(gateways).toBe(1);
  }, 120_000);
});

/**
 * The synthesized templates of one deployment with every CloudFormation intrinsic replaced by
 * a concrete value, as CloudFormation would at deploy time: pseudo parameters, Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, Fn::Select, Fn::Split and Fn::ImportValue (cross-stack exports, resolved in
 * the producing stack). Physical names CloudFormation would generate are stable stand-ins
 * derived from the logical id, so the same resource resolves to the same name everywhere.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { synthesize, type Synthesized } from '../../support/synth.ts';

export const ACCOUNT = '111122223333';
export const PARTITION = 'aws';

type Json = unknown;
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

/** One resolved stack. */
export interface ResolvedStack {
  readonly name: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** A value of this stack with every intrinsic resolved. */
  resolve(value: Json): Json;
  /** The concrete ARN/name of `Ref` and `Fn::GetAtt` of a logical id. */
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

/** A deployment: its stacks resolved, and the CDK objects for locating constructs. */
export interface Deployment {
  readonly synth: Synthesized;
  readonly stacks: readonly ResolvedStack[];
  /** The stack holding a CDK stack's template. */
  stack(cdkStack: Stack): ResolvedStack;
}

const lower = (id: string): string => id.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Synthesizes a configuration (bundling skipped) and resolves all its stacks. */
export function deploy(input: unknown): Deployment {
  const synth = synthesize(input);
  const cdkStacks: Stack[] = [synth.stacks.database, synth.stacks.automation, ...(synth.stacks.drRegion ? [synth.stacks.drRegion] : [])];
  const exports = new Map<string, { stack: ResolvedStack; value: Json }>();
  const stacks = cdkStacks.map((s) => resolvedStack(s.stackName, s.region, Template.fromStack(s).toJSON() as CfnTemplate, exports));
  for (const stack of stacks) {
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      if (output.Export !== undefined) exports.set(String(stack.resolve(output.Export.Name)), { stack, value: output.Value });
    }
  }
  const byName = new Map(stacks.map((s) => [s.name, s]));
  return {
    synth,
    stacks,
    stack: (cdkStack) => {
      const found = byName.get(cdkStack.stackName);
      if (!found) throw new Error(`no stack ${cdkStack.stackName}`);
      return found;
    },
  };
}

function resolvedStack(name: string, region: string, template: CfnTemplate, exports: Map<string, { stack: ResolvedStack; value: Json }>): ResolvedStack {
  const arn = (service: string, resource: string, r = region): string => `arn:${PARTITION}:${service}:${r}:${ACCOUNT}:${resource}`;
  const resource = (id: string): CfnResource => {
    const r = template.Resources[id];
    if (!r) throw new Error(`${name}: no resource ${id}`);
    return r;
  };
  const prop = (id: string, key: string): string | undefined => {
    const v = resource(id).Properties?.[key];
    return v === undefined ? undefined : String(self.resolve(v));
  };

  function ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': PARTITION,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': name,
      'AWS::NoValue': '',
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const r = resource(id);
    switch (r.Type) {
      case 'AWS::KMS::Key':
        return `key-${lower(id)}`;
      case 'AWS::S3::Bucket':
        return prop(id, 'BucketName') ?? lower(id);
      case 'AWS::RDS::DBInstance':
        return prop(id, 'DBInstanceIdentifier') ?? lower(id);
      case 'AWS::RDS::DBCluster':
        return prop(id, 'DBClusterIdentifier') ?? lower(id);
      case 'AWS::RDS::DBSubnetGroup':
        return prop(id, 'DBSubnetGroupName') ?? lower(id);
      case 'AWS::RDS::DBParameterGroup':
      case 'AWS::RDS::DBClusterParameterGroup':
        return prop(id, 'DBParameterGroupName') ?? lower(id);
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${lower(id)}-AbCdEf`);
      case 'AWS::SNS::Topic':
        return arn('sns', prop(id, 'TopicName') ?? lower(id));
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${prop(id, 'StateMachineName') ?? lower(id)}`);
      case 'AWS::Route53::HostedZone':
        return `Z${lower(id).toUpperCase()}`;
      case 'AWS::DynamoDB::Table':
        return prop(id, 'TableName') ?? lower(id);
      case 'AWS::Lambda::Function':
        return prop(id, 'FunctionName') ?? lower(id);
      case 'AWS::IAM::Role':
        return prop(id, 'RoleName') ?? lower(id);
      case 'AWS::Logs::LogGroup':
        return prop(id, 'LogGroupName') ?? lower(id);
      case 'AWS::EC2::SecurityGroup':
        return `sg-${lower(id)}`;
      default:
        return lower(id);
    }
  }

  function getAtt(id: string, attribute: string): string {
    const r = resource(id);
    const key = `${r.Type}.${attribute}`;
    switch (key) {
      case 'AWS::KMS::Key.Arn':
        return arn('kms', `key/${ref(id)}`);
      case 'AWS::S3::Bucket.Arn':
        return `arn:${PARTITION}:s3:::${ref(id)}`;
      case 'AWS::DynamoDB::Table.Arn':
        return arn('dynamodb', `table/${ref(id)}`);
      case 'AWS::Lambda::Function.Arn':
        return arn('lambda', `function:${ref(id)}`);
      case 'AWS::IAM::Role.Arn':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${ref(id)}`;
      case 'AWS::Logs::LogGroup.Arn':
        return arn('logs', `log-group:${ref(id)}:*`);
      case 'AWS::SNS::Topic.TopicArn':
        return ref(id);
      case 'AWS::StepFunctions::StateMachine.Arn':
        return ref(id);
      case 'AWS::EC2::SecurityGroup.GroupId':
        return ref(id);
      case 'AWS::RDS::DBInstance.MasterUserSecret.SecretArn':
        return arn('secretsmanager', `secret:rds!db-${lower(id)}-AbCdEf`);
      case 'AWS::RDS::DBCluster.MasterUserSecret.SecretArn':
        return arn('secretsmanager', `secret:rds!cluster-${lower(id)}-AbCdEf`);
      case 'AWS::RDS::DBInstance.DBInstanceArn':
        return arn('rds', `db:${ref(id)}`);
      case 'AWS::RDS::DBCluster.DBClusterArn':
        return arn('rds', `cluster:${ref(id)}`);
      case 'AWS::Route53::HostedZone.Id':
        return ref(id);
      default:
        if (attribute.endsWith('Address')) return `${ref(id)}.example.${region}.rds.amazonaws.com`;
        if (attribute.endsWith('Port')) return '5432';
        return `${ref(id)}.${attribute}`;
    }
  }

  function resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, Json>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const v = o[k];
      switch (k) {
        case 'Ref':
          return ref(String(v));
        case 'Fn::GetAtt': {
          const [id, ...attr] = Array.isArray(v) ? (v as string[]) : String(v).split('.');
          return getAtt(String(id), attr.join('.'));
        }
        case 'Fn::Join': {
          const [sep, parts] = v as [string, Json[]];
          return (resolve(parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = v as [Json, Json];
          return (resolve(list) as Json[])[Number(resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, text] = v as [string, Json];
          return String(resolve(text)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(v) ? v : [v, {}]) as [string, Record<string, Json>];
          return text.replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
            if (vars[expr] !== undefined) return String(resolve(vars[expr]));
            const [id, ...attr] = expr.split('.');
            return attr.length === 0 ? ref(String(id)) : getAtt(String(id), attr.join('.'));
          });
        }
        case 'Fn::ImportValue': {
          const exportName = String(resolve(v));
          const found = exports.get(exportName);
          if (!found) throw new Error(`${name}: no export ${exportName}`);
          return found.stack.resolve(found.value);
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`${name}: unsupported intrinsic ${k}`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(o[k])]));
  }

  const self: ResolvedStack = { name, region, template, resolve, ref, getAtt };
  return self;
}

/** The logical id of a construct's CloudFormation resource within its stack. */
export function logicalId(construct: { node: { defaultChild?: unknown } } | object): string {
  const child = (construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct;
  return Stack.of(child as never).getLogicalId(child as never);
}

/**
 * Resolves CloudFormation intrinsics in a synthesized template to plausible concrete values, as
 * CloudFormation would after deployment: `Ref` and `Fn::GetAtt` give names, ids and ARNs shaped
 * like the resource type's real ones (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html),
 * `Fn::ImportValue` follows the exporting stack's Output, `Fn::Join`/`Fn::Sub`/`Fn::Select`/`Fn::Split`
 * compute. Unknown resource types or attributes throw, so a new kind of value is noticed.
 */
import { createHash } from 'node:crypto';
import type { StackTemplate } from './assembly.ts';

/** The account the resolved ARNs carry. */
export const ACCOUNT = '123456789012';

type Json = Record<string, unknown>;

/** A stack with its region, for resolution. */
export interface ResolvableStack extends StackTemplate {
  readonly region: string;
}

const short = (text: string, length = 8): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A resolver over the stacks of one assembly. */
export class IntrinsicResolver {
  readonly #stacks: readonly ResolvableStack[];

  constructor(stacks: readonly ResolvableStack[]) {
    this.#stacks = stacks;
  }

  /** Resolves `value` in the context of stack `stackName`. */
  resolve(value: unknown, stackName: string): unknown {
    const stack = this.#stack(stackName);
    return this.#resolve(value, stack);
  }

  /** Resolves to a string (throws when the value is not a string after resolution). */
  string(value: unknown, stackName: string): string {
    const resolved = this.resolve(value, stackName);
    if (typeof resolved !== 'string' && typeof resolved !== 'number') throw new Error(`not a string: ${JSON.stringify(value)} -> ${JSON.stringify(resolved)}`);
    return String(resolved);
  }

  #stack(name: string): ResolvableStack {
    const stack = this.#stacks.find((s) => s.stackName === name);
    if (!stack) throw new Error(`no stack ${name}`);
    return stack;
  }

  #resolve(value: unknown, stack: ResolvableStack): unknown {
    if (Array.isArray(value)) return value.map((v) => this.#resolve(v, stack));
    if (value === null || typeof value !== 'object') return value;
    const object = value as Json;
    const keys = Object.keys(object);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = object[key];
      switch (key) {
        case 'Ref':
          return this.#ref(String(arg), stack);
        case 'Fn::GetAtt': {
          const [id, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
          return this.#getAtt(id, attribute, stack);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.#resolve(parts, stack) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number | string, unknown];
          return (this.#resolve(list, stack) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.#resolve(text, stack)).split(separator);
        }
        case 'Fn::Sub': {
          const [template, variables] = (typeof arg === 'string' ? [arg, {}] : arg) as [string, Json];
          return template.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
            if (name in variables) return String(this.#resolve(variables[name], stack));
            const [id, attribute] = name.split('.') as [string, string | undefined];
            return String(attribute === undefined ? this.#ref(id, stack) : this.#getAtt(id, attribute, stack));
          });
        }
        case 'Fn::ImportValue':
          return this.#import(String(this.#resolve(arg, stack)));
        default:
          if (key.startsWith('Fn::')) throw new Error(`intrinsic ${key} is not supported`);
      }
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, this.#resolve(v, stack)]));
  }

  #import(exportName: string): unknown {
    for (const stack of this.#stacks) {
      for (const output of Object.values((stack.template.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name?: unknown } }>)) {
        if (output.Export && this.#resolve(output.Export.Name, stack) === exportName) return this.#resolve(output.Value, stack);
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }

  #resource(id: string, stack: ResolvableStack): { Type: string; Properties?: Json } {
    const resource = stack.resources[id];
    if (!resource) throw new Error(`${stack.stackName}: no resource ${id}`);
    return resource;
  }

  /** A physical name: the resource's own name property when it has one, else `<stack>-<id>-<hash>` as CloudFormation generates. */
  #name(id: string, stack: ResolvableStack, property?: string, lower = false): string {
    const own = property ? this.#resource(id, stack).Properties?.[property] : undefined;
    if (own !== undefined) return String(this.#resolve(own, stack));
    const name = `${stack.stackName}-${id.replace(/[0-9A-F]{8}$/, '')}-${short(stack.stackName + id, 12).toUpperCase()}`;
    return lower ? name.toLowerCase() : name;
  }

  #ref(id: string, stack: ResolvableStack): unknown {
    const { region } = stack;
    switch (id) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::NoValue':
        return undefined;
    }
    const parameter = (stack.template.Parameters as Record<string, { Default?: unknown }> | undefined)?.[id];
    if (parameter) return parameter.Default ?? '';
    const type = this.#resource(id, stack).Type;
    switch (type) {
      case 'AWS::Lambda::Function':
        return this.#name(id, stack, 'FunctionName');
      case 'AWS::S3::Bucket':
        return this.#name(id, stack, 'BucketName', true);
      case 'AWS::DynamoDB::Table':
        return this.#name(id, stack, 'TableName');
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${this.#name(id, stack, 'Name')}-${short(id, 6)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${ACCOUNT}:${this.#name(id, stack, 'TopicName')}`;
      case 'AWS::KMS::Key':
        return `${short(id, 8)}-1111-2222-3333-${short(id + 'k', 12)}`;
      case 'AWS::Route53::HostedZone':
        return `Z${short(id, 13).toUpperCase()}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-0${short(id, 16)}`;
      case 'AWS::EC2::VPC':
        return `vpc-0${short(id, 16)}`;
      case 'AWS::EC2::Subnet':
        return `subnet-0${short(id, 16)}`;
      case 'AWS::RDS::DBInstance':
        return this.#name(id, stack, 'DBInstanceIdentifier', true);
      case 'AWS::RDS::DBCluster':
        return this.#name(id, stack, 'DBClusterIdentifier', true);
      case 'AWS::RDS::DBSubnetGroup':
        return this.#name(id, stack, 'DBSubnetGroupName', true);
      case 'AWS::RDS::DBParameterGroup':
      case 'AWS::RDS::DBClusterParameterGroup':
        return this.#name(id, stack, 'DBParameterGroupName', true);
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${this.#name(id, stack, 'StateMachineName')}`;
      case 'AWS::IAM::Role':
        return this.#name(id, stack, 'RoleName');
      case 'AWS::Logs::LogGroup':
        return this.#name(id, stack, 'LogGroupName');
      default:
        throw new Error(`Ref of ${type} (${id}) is not supported`);
    }
  }

  #getAtt(id: string, attribute: string, stack: ResolvableStack): unknown {
    const { region } = stack;
    const type = this.#resource(id, stack).Type;
    const ref = (): string => String(this.#ref(id, stack));
    switch (`${type}.${attribute}`) {
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${region}:${ACCOUNT}:function:${ref()}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${ref()}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${ref()}`;
      case 'AWS::SNS::Topic.TopicArn':
        return ref();
      case 'AWS::SecretsManager::Secret.Id':
        return ref();
      case 'AWS::KMS::Key.Arn':
        return `arn:aws:kms:${region}:${ACCOUNT}:key/${ref()}`;
      case 'AWS::KMS::Key.KeyId':
        return ref();
      case 'AWS::EC2::SecurityGroup.GroupId':
        return ref();
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${ref()}`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return ref();
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${ref()}:*`;
      case 'AWS::RDS::DBInstance.Endpoint.Address':
        return `${ref()}.c${short(id, 10)}.${region}.rds.amazonaws.com`;
      case 'AWS::RDS::DBInstance.Endpoint.Port':
        return String(this.#resource(id, stack).Properties?.['Port'] ?? 5432);
      case 'AWS::RDS::DBInstance.DBInstanceArn':
        return `arn:aws:rds:${region}:${ACCOUNT}:db:${ref()}`;
      case 'AWS::RDS::DBInstance.MasterUserSecret.SecretArn':
      case 'AWS::RDS::DBCluster.MasterUserSecret.SecretArn':
        return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!${type.endsWith('Cluster') ? 'cluster' : 'db'}-${short(id, 8)}-1111-2222-3333-${short(id + 's', 12)}-AbCdEf`;
      case 'AWS::RDS::DBCluster.Endpoint.Address':
        return `${ref()}.cluster-c${short(id, 10)}.${region}.rds.amazonaws.com`;
      case 'AWS::RDS::DBCluster.DBClusterArn':
        return `arn:aws:rds:${region}:${ACCOUNT}:cluster:${ref()}`;
      default:
        throw new Error(`Fn::GetAtt ${type}.${attribute} (${id}) is not supported`);
    }
  }
}

import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WildcardRule } from '../acknowledgements.ts';
import { environmentProblems } from '../../functions/contracts/env-schema.ts';
import { ENV_CONTRACTS } from '../../functions/contracts/environment.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The IAM wildcard of invoking a DR function, with its reason (infra/nag.ts accepts it). */
export const DR_FUNCTION_WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
    reason: 'The state machine invokes its own functions; the :* suffix covers their versions and aliases (CDK grantInvoke).',
  },
];

/**
 * The entry file of a handler: `functions/handlers/<handler>.ts`, or, for a function of several
 * files (a composition root and its actions), `functions/handlers/<handler>/index.ts`.
 */
export function handlerEntry(handler: string): string {
  const file = `${ROOT}functions/handlers/${handler}.ts`;
  return existsSync(file) ? file : `${ROOT}functions/handlers/${handler}/index.ts`;
}

/** Props of {@link DrFunction}. */
export interface DrFunctionProps {
  /** Handler name under functions/handlers: a file without `.ts`, or a folder with an `index.ts` ({@link handlerEntry}). */
  readonly handler: string;
  /** The function's description (also its role's, after the handler name). */
  readonly description: string;
  /** The function's own environment, checked against its contract (functions/contracts/environment.ts) at synth. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** In-VPC placement (functions that open SQL connections). @default not in a VPC */
  readonly vpc?: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup };
}

/**
 * A Lambda function of the DR system: Node 24 on arm64, bundled locally by esbuild
 * (ESM, minified, SDK included so its version is the one tested), its own log group with
 * a retention period, and an explicit role whose only managed permission is writing to
 * that log group (no AWS-managed policy).
 */
export class DrFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DrFunctionProps) {
    super(scope, id);
    checkEnvironment(props.handler, props.environment);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.handler} function: ${props.description}`,
    });
    logGroup.grantWrite(this.role);
    if (props.vpc) {
      // ENI management for VPC placement; these EC2 actions do not support resource-level permissions.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
        }),
      );
    }
    this.fn = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'rds-dr',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        // In-VPC functions speak TLS to RDS; Node 20+ Lambda runtimes trust the RDS CA bundle only when told to.
        ...(props.vpc ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
        ...props.environment,
      },
      // No X-Ray active tracing: no tracer feeds it, and the Powertools tracer costs ~130 KB a bundle
      // (docs/decisions.md, "X-Ray"); the state machines keep their own tracing.
      tracing: lambda.Tracing.DISABLED,
      vpc: props.vpc?.vpc,
      vpcSubnets: props.vpc ? { subnetGroupName: 'functions' } : undefined,
      securityGroups: props.vpc ? [props.vpc.securityGroup] : undefined,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        externalModules: ['pg-native'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
  }
}

/**
 * Fails synth when the environment written for a function breaks that function's contract
 * (functions/contracts/environment.ts): the same check its cold start makes, done before deploying.
 * Deploy-time tokens are checked for presence only.
 */
export function checkEnvironment(handler: string, environment: Readonly<Record<string, string>>): void {
  const contract = ENV_CONTRACTS[handler];
  if (contract === undefined) throw new Error(`${handler} function: no environment contract in functions/contracts/environment.ts`);
  const problems = environmentProblems(contract, environment, (value) => Token.isUnresolved(value));
  if (problems.length > 0) throw new Error(`${handler} function: the environment infra writes breaks the function's contract: ${problems.join('; ')}`);
}

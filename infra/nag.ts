import { Validations, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { DrApp } from './build-app.ts';
import { MONITORING_WILDCARDS } from './constructs/monitoring.ts';
import { MultiAzInstanceDatabase } from './constructs/protected-database.ts';

/**
 * Every cdk-nag acknowledgement of the app, each with its reason, in one place so a
 * reviewer sees the whole list. Tests assert that synth has no unacknowledged error.
 */
export function acknowledgeFindings(stacks: DrApp): void {
  acknowledge(
    stacks.database,
    'CloudFormation-Validate::W3010',
    'AZ names come from the configuration (availabilityZones) on purpose: the stack must synthesize the same three AZs without an account lookup, and the read replica must land in the third one.',
  );
  const db = stacks.database.database;
  if (db instanceof MultiAzInstanceDatabase) {
    for (const instance of [db.instance, ...db.replicas]) {
      acknowledge(
        instance,
        'AwsSolutions-RDS11',
        'The port is configurable (database.port). A non-default port is obscurity, not a control: the database is in isolated subnets, its security group admits only the DR functions, and rds.force_ssl=1 requires TLS.',
      );
    }
    for (const replica of db.replicas) {
      acknowledge(
        replica,
        'AwsSolutions-RDS3',
        'In-region read replicas serve reads; durability and failover come from the Multi-AZ primary and its synchronous standby.',
      );
    }
  }
}

/** Acknowledges one rule on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** An IAM wildcard the design needs, recognised by the finding text cdk-nag reports. */
export interface WildcardRule {
  readonly finding: RegExp;
  readonly reason: string;
}

/**
 * The wildcards in the automation's IAM policies, each with its reason. Each is matched
 * against cdk-nag's finding (`Resource::…` or `Action::…`); any wildcard not listed
 * stays an error.
 * Statements with `Resource: *` are additionally held to an action allow-list by
 * test/infra/automation-stack.test.ts.
 */
export const WILDCARDS: readonly WildcardRule[] = [
  {
    finding: /^Resource::\*$/,
    reason:
      'Only actions without resource-level permissions: rds:DescribeAccountAttributes (quota check), X-Ray tracing and sampling, CloudWatch Logs delivery for state machine logging, cloudwatch:GetMetricData (the RPO monitor reads the probe\'s replica heartbeat age), ec2:DescribeSecurityGroupRules (the failover fence reads the old writer\'s rules), and the EC2 network-interface actions of VPC placement (limited to this region). test/infra/automation-stack.test.ts holds every Resource "*" statement to that action list.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(cluster-)?snapshot:[a-z0-9-]+-\*$/,
    reason: 'Snapshot ids are <db>-<tier>-<timestamp>, created daily: the prefix scopes the policy to this database\'s snapshots; deletes also require the tag dr:managed=true.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:kms:[a-z0-9-]+:<AWS::AccountId>:key\/\*$/,
    reason: 'The DR-region key is referenced by alias across regions; kms:ResourceAliases and kms:ViaService conditions restrict the grant to that one key, used through RDS, and kms:GrantIsForAWSResource to grants for AWS resources.',
  },
  {
    finding: /^Resource::Dr-[a-z0-9-]+-Database:ExportsOutputFnGetAttArchiveBucket[A-Za-z0-9]+\/(audit|manifests|reports)\/[a-z0-9-]+\/\*$/,
    reason: 'Archive objects are written under one prefix per document kind and database; names carry timestamps and ids, so a prefix is the narrowest scope.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(db|cluster):[a-z0-9-]+(-vfy-|-|)\*$/,
    reason:
      'Restored databases are named <db>-… (restore tests <db>-vfy-…), so a name prefix scopes restores, describes and deletes to this database\'s restores; the production database is never a target, and deletes also require the tag dr:temporary=true.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:rds:[a-z0-9-]+:<AWS::AccountId>:(db|cluster|snapshot|cluster-snapshot):\*$/,
    reason:
      'Read-only Describe list calls (the sweeper lists databases, retention and the RPO monitor list snapshots): RDS authorizes a list against all resources of the type in the account and region, so a narrower pattern would deny it. Nothing that changes a database or snapshot uses these.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:secretsmanager:[a-z0-9-]+:<AWS::AccountId>:secret:rds!\*$/,
    reason:
      'RDS names the master secrets it generates rds!db-<uuid>, unknown before the restore: RDS creates them on the caller\'s behalf, and reading them is further restricted by the tag RDS puts on them (aws:rds:primaryDBInstanceArn, or aws:rds:primaryDBClusterArn for a cluster) to databases named <db>-….',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+\.Arn>:\*$/,
    reason: 'The state machine invokes its own functions; the :* suffix covers their versions and aliases (CDK grantInvoke).',
  },
  ...MONITORING_WILDCARDS,
  {
    finding: /^Resource::arn:<AWS::Partition>:route53:::change\/\*$/,
    reason: 'route53:GetChange polls the endpoint switch until it is INSYNC; a change id exists only once the change is made, so it cannot be named in advance. Read-only.',
  },
];

/** True when a violation is an IAM5 wildcard finding that one of the rules explains. */
export function isExplainedWildcard(ruleName: string, rules: readonly WildcardRule[] = WILDCARDS): boolean {
  const match = /^AwsSolutions-IAM5\[(.*)\]$/.exec(ruleName);
  return match !== null && rules.some((r) => r.finding.test(match[1] ?? ''));
}

/**
 * cdk-nag AwsSolutions with the explained IAM wildcards of {@link WILDCARDS} accepted.
 *
 * The wildcard findings name resources by how CloudFormation will see them, and a
 * cross-stack reference only takes its final form during synth; so the explained
 * wildcards are filtered here, in the validation phase, instead of acknowledged on
 * constructs beforehand. Every other finding is reported unchanged.
 */
export class DrAwsSolutionsChecks implements IPolicyValidationPlugin {
  readonly name = 'AwsSolutions (rds-dr: explained IAM wildcards accepted)';
  readonly #inner: AwsSolutionsChecks;

  constructor(scope: IConstruct) {
    this.#inner = new AwsSolutionsChecks(scope);
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return explained(this.#inner.validate(context));
  }

  /** Direct run over a scope (tests). */
  validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return explained(this.#inner.validateScope(scope));
  }
}

function explained(report: PolicyValidationPluginReport): PolicyValidationPluginReport {
  const violations = report.violations.filter((v) => !isExplainedWildcard(v.ruleName));
  return { ...report, violations, success: violations.every((v) => v.severity?.toLowerCase() !== 'error') };
}

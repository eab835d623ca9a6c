import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { WildcardRule } from './acknowledgements.ts';
import { BACKUP_WILDCARDS } from './constructs/backup.ts';
import { DR_FUNCTION_WILDCARDS } from './constructs/dr-function.ts';
import { FAILOVER_WILDCARDS } from './constructs/failover.ts';
import { GRANT_WILDCARDS } from './constructs/grants.ts';
import { RESTORE_WILDCARDS } from './constructs/restore-testing.ts';
import { MONITORING_WILDCARDS } from './constructs/rpo-monitor.ts';

/**
 * The wildcards in the automation's IAM policies, each with its reason: the app-wide `Resource: *`
 * rule here, the others where the policies are made (each construct exports its own). Each is
 * matched against cdk-nag's finding (`Resource::…` or `Action::…`); any wildcard not listed
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
  ...BACKUP_WILDCARDS,
  ...RESTORE_WILDCARDS,
  ...GRANT_WILDCARDS,
  ...DR_FUNCTION_WILDCARDS,
  ...MONITORING_WILDCARDS,
  ...FAILOVER_WILDCARDS,
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

import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { DrApp } from './build-app.ts';
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

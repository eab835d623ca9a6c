import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * What constructs need to explain their cdk-nag findings where they make the resources: a leaf
 * module (no import of a stack or construct), so every construct can use it without an import circle.
 * infra/nag.ts assembles the app's wildcard list from the rules the constructs export.
 */

/** Acknowledges one rule on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** An IAM wildcard the design needs, recognised by the finding text cdk-nag reports. */
export interface WildcardRule {
  /** Matches the finding's resource or action text (`Resource::…`, `Action::…`). */
  readonly finding: RegExp;
  /** Why the design needs the wildcard. */
  readonly reason: string;
}

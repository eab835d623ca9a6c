/**
 * Port: fencing the old writer, so that a writer thought dead cannot take writes after a region
 * failover has promoted another (split brain). Implemented by revoking the inbound rules of the
 * database's security group (EC2); the rules revoked are returned so an operator can restore them.
 *
 * Implementations throw FenceUnreachableError when the old region's API cannot be reached,
 * FenceFailedError when it answers and refuses, ThrottledError when throttled (safe to retry).
 */

/** One inbound rule of the security group. */
export interface IngressRule {
  readonly ruleId: string;
  readonly protocol: string;
  readonly fromPort: number | null;
  readonly toPort: number | null;
  /** The source: a security group id, a CIDR or a prefix list. */
  readonly source: string;
  readonly description: string | null;
}

/** The fence of the old writer. */
export interface Fence {
  /** The security group the fence closes. */
  readonly securityGroupId: string;
  /** Its inbound rules now. */
  ingress(): Promise<IngressRule[]>;
  /** Revokes these inbound rules; returns those revoked. */
  revoke(ruleIds: readonly string[]): Promise<IngressRule[]>;
}

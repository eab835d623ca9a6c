import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';

/**
 * cfn-lint W3010 (hard-coded AZ names) on the stack whose VPC and replicas use the configured zones:
 * on purpose, see the reason.
 */
export function acknowledgeConfiguredZones(stack: IConstruct): void {
  acknowledge(
    stack,
    'CloudFormation-Validate::W3010',
    'AZ names come from the configuration (availabilityZones) on purpose: the stack must synthesize the same three AZs without an account lookup, and the read replica must land in the third one.',
  );
}

/** Props of {@link Network}. */
export interface NetworkProps {
  /** The three AZs to span. */
  readonly availabilityZones: readonly string[];
  /**
   * Days to keep VPC flow logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * A VPC over three AZs with no route to the internet.
 *
 * Two isolated tiers: `database` (RDS only) and `functions` (in-VPC Lambdas: verify,
 * probe). The functions reach AWS APIs through VPC endpoints, so no NAT gateway and no
 * internet path exist for anything that holds database credentials.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Security group of every in-VPC function that talks to the database. */
  readonly functionsSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      subnetConfiguration: [
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const functionSubnets = { subnetGroupName: 'functions' };
    this.functionsSecurityGroup = new ec2.SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'In-VPC DR functions (verify, probe): egress to the database and the VPC endpoints only',
      allowAllOutbound: false,
    });
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointsSg', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints: HTTPS from the DR functions',
      allowAllOutbound: false,
    });
    endpointSg.addIngressRule(this.functionsSecurityGroup, ec2.Port.tcp(443), 'DR functions to AWS APIs');
    // HTTPS egress to any address: the subnets have no internet route, so the only
    // destinations that answer are the interface endpoints and the S3 gateway endpoint
    // (whose regional prefix list would otherwise need an account lookup at synth).
    this.functionsSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs through VPC endpoints (no internet route exists)');

    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [functionSubnets] });
    // One interface endpoint per AWS API an in-VPC function calls: the functions there (manifest,
    // verify, probe) read their login from Secrets Manager and publish metrics as EMF log lines,
    // which need no endpoint. test/infra/network.test.ts derives the list from their bundles.
    this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: functionSubnets,
      securityGroups: [endpointSg],
      open: false,
      privateDnsEnabled: true,
    });
  }
}


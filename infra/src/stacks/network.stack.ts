import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { NetworkConfig } from '../config/types.js';
import { acknowledge } from '../acknowledge.js';

export interface NetworkStackProps extends StackProps {
  network: NetworkConfig;
}

/**
 * One VPC over three zones: public subnets (ALB, NAT), private subnets with egress
 * (Fargate tasks) and isolated subnets (Aurora, Redis, OpenSearch). Shared by every
 * environment of its account. Nothing here opens SSH: operators use SSM Session
 * Manager, whose endpoints are below.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** The NAT gateways' public addresses: what the internet (and CloudFront) sees of the tasks' calls out. */
  readonly natAddresses: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { network } = props;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: `jab-${network.name}`,
      ipAddresses: ec2.IpAddresses.cidr(network.cidr),
      availabilityZones: [...network.availabilityZones],
      natGateways: network.natGateways,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        // /20: room for hundreds of Fargate tasks (one ENI each) per zone.
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', { retention: network.flowLogRetentionDays as logs.RetentionDays }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    // The Elastic IPs the VPC construct gives each NAT gateway (one per public subnet that has one).
    this.natAddresses = this.vpc.publicSubnets.flatMap((subnet) => {
      const eip = subnet.node.tryFindChild('EIP');
      return eip instanceof ec2.CfnEIP ? [eip.attrPublicIp] : [];
    });

    // Image pulls, logs and secrets stay off the NAT (cheaper, and no internet path needed).
    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const interfaceEndpoints = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
      SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
      Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
    };
    for (const [id, service] of Object.entries(interfaceEndpoints)) {
      const endpoint = this.vpc.addInterfaceEndpoint(id, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      });
      acknowledge(
        endpoint,
        "The endpoint's only ingress is HTTPS from the VPC's own CIDR (an intrinsic the rule cannot evaluate), never 0.0.0.0/0.",
        'AwsSolutions-EC23',
      );
    }
  }
}

import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

export interface SearchDomainProps {
  /** Domain name (`jab-<env>`): fixed, so IAM policies can name it without a cross-stack reference. */
  domainName: string;
  vpc: ec2.IVpc;
  key: kms.IKey;
  dataNodeType: string;
  dataNodes: number;
  masterNodeType: string;
  volumeGiB: number;
  /** The IAM role mapped as the fine-grained access control master (the search service). */
  masterRoleArn: string;
  production: boolean;
  logRetentionDays: number;
}

/**
 * The OpenSearch domain behind apps/search's scale engine: data nodes over 3 zones
 * (zone awareness), 3 dedicated masters (one per zone, so losing a zone keeps a
 * quorum), gp3 volumes. Production (config/prod.ts): 6 × r7g.xlarge.search, two per
 * zone, 300 GiB gp3 each, 3 × m7g.large.search masters, for a registrant index of 12
 * primary shards + 1 replica. The reasoning behind these numbers is written once, in
 * docs/search.md ("Sizing OpenSearch for 100 million registrants").
 */
export class SearchDomain extends Construct {
  readonly domain: opensearch.Domain;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'OpenSearch: HTTPS from the environment tasks only',
      allowAllOutbound: false,
    });
    const logGroups: logs.LogGroup[] = [];
    const logGroup = (name: string) => {
      const group = new logs.LogGroup(this, name, { retention: props.logRetentionDays as logs.RetentionDays });
      logGroups.push(group);
      return group;
    };

    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: props.domainName,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      securityGroups: [this.securityGroup],
      capacity: {
        dataNodes: props.dataNodes,
        dataNodeInstanceType: props.dataNodeType,
        masterNodes: 3,
        masterNodeInstanceType: props.masterNodeType,
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: { enabled: true, availabilityZoneCount: 3 },
      ebs: { volumeSize: props.volumeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: props.key },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      fineGrainedAccessControl: { masterUserArn: props.masterRoleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logGroup('SlowSearchLog'),
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logGroup('SlowIndexLog'),
        appLogEnabled: true,
        appLogGroup: logGroup('AppLog'),
        auditLogEnabled: true,
        auditLogGroup: logGroup('AuditLog'),
      },
      // A plain resource policy instead of CDK's custom-resource Lambda that would write one.
      suppressLogsResourcePolicy: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Fine-grained access control decides per index; the resource policy only admits signed
    // callers of this account. Set on the L1: the L2 option writes it through a custom-resource Lambda.
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          principals: [new iam.AccountRootPrincipal()],
          actions: ['es:ESHttp*'],
          // Built from the name: the domain's own Arn attribute here would be a self-reference.
          resources: [`${Stack.of(this).formatArn({ service: 'es', resource: 'domain', resourceName: props.domainName })}/*`],
        }),
      ],
    }).toJSON();
    const logsPolicy = new logs.ResourcePolicy(this, 'LogsPolicy', {
      resourcePolicyName: `${props.domainName}-opensearch-logs`,
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('es.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: logGroups.map((group) => group.logGroupArn),
        }),
      ],
    });
    this.domain.node.addDependency(logsPolicy);
    acknowledge(
      this.domain,
      'The domain lives in isolated subnets behind a security group that admits only the environment tasks, and every request is SigV4-signed and checked by fine-grained access control; an IP allowlist would add nothing.',
      'AwsSolutions-OS3',
    );
  }
}

import { Fn, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.js';

export interface RedisProps {
  vpc: ec2.IVpc;
  key: kms.IKey;
  nodeType: string;
  /** Replicas of the single shard, each in another zone. */
  replicas: number;
  snapshotRetentionDays: number;
  logRetentionDays: number;
}

export const REDIS_PORT = 6379;

/**
 * ElastiCache Redis for the cache, the BullMQ queues and the shared rate limits:
 * one shard with replicas in other zones and automatic failover, TLS and at-rest
 * encryption, an AUTH token from Secrets Manager. BullMQ loses jobs if Redis evicts
 * keys, so memory pressure must fail writes instead (`maxmemory-policy noeviction`).
 */
export class Redis extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authToken: secretsmanager.Secret;
  /** `rediss://:<token>@<primary>:6379`, what services read as REDIS_URL. */
  readonly urlSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: reachable only from the environment tasks',
      allowAllOutbound: false,
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Redis isolated subnets',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const parameters = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: 'redis7',
      description: 'BullMQ needs noeviction: an evicted job key is a lost job',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    // URL-safe token: it is embedded in REDIS_URL.
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'Redis AUTH token',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    acknowledge(
      this.authToken,
      'ElastiCache has no managed rotation for AUTH tokens: rotation is ModifyReplicationGroup with the ROTATE strategy, run by an operator (docs/operations.md).',
      'AwsSolutions-SMG4',
    );
    const token = this.authToken.secretValueFromJson('token');
    const slowLog = new logs.LogGroup(this, 'SlowLog', { retention: props.logRetentionDays as logs.RetentionDays });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'Jab cache, queues and rate limits',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numNodeGroups: 1,
      replicasPerNodeGroup: props.replicas,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.key.keyId,
      authToken: token.unsafeUnwrap(),
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      cacheParameterGroupName: parameters.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays,
      preferredMaintenanceWindow: 'sun:02:00-sun:03:00',
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
          logFormat: 'json',
          logType: 'slow-log',
        },
      ],
    });

    acknowledge(
      this.replicationGroup,
      'A non-default port adds no protection here: the group is in isolated subnets, its security group admits only the environment tasks, and AUTH plus TLS are required.',
      'AwsSolutions-AEC5',
    );
    // CloudFormation resolves the token reference at deploy time; the URL never appears in the template.
    this.urlSecret = new secretsmanager.Secret(this, 'Url', {
      description: 'REDIS_URL for the services (derived from the AUTH token)',
      secretStringValue: SecretValue.unsafePlainText(
        Fn.join('', [
          'rediss://:',
          token.unsafeUnwrap(),
          '@',
          this.replicationGroup.attrPrimaryEndPointAddress,
          ':',
          this.replicationGroup.attrPrimaryEndPointPort,
        ]),
      ),
    });
    acknowledge(this.urlSecret, 'Derived from the AUTH token secret at deploy time; it changes when that token is rotated.', 'AwsSolutions-SMG4');
  }
}

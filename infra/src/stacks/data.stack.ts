import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { Redis } from '../constructs/redis.construct.js';
import { SearchDomain } from '../constructs/search-domain.construct.js';
import { names } from '../naming.js';
import { acknowledge, acknowledgeCdkHelpers } from '../acknowledge.js';

export interface DataStackProps extends StackProps {
  config: EnvConfig;
  vpc: ec2.IVpc;
}

export const DATABASE_NAME = 'jab';
export const APP_DB_USER = 'jab_app';

/**
 * Everything of an environment that holds state: Aurora PostgreSQL, Redis,
 * OpenSearch, the report-export and access-log buckets, their KMS key and the
 * secrets. Termination-protected and deployed on its own, so replacing the
 * services can never take the data with it.
 */
export class DataStack extends Stack {
  readonly key: kms.Key;
  readonly database: rds.DatabaseCluster;
  /** Credentials of the services' database user, rotated with alternating users. */
  readonly appDbSecret: secretsmanager.Secret;
  readonly redis: Redis;
  readonly search: SearchDomain;
  readonly reportsBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  /**
   * Secrets the task execution roles read use the account's Secrets Manager key: a
   * grant on this stack's key to a role of the services stack would have to go into
   * the key policy, making data depend on services.
   */
  readonly jwtSigningKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { config, vpc } = props;
    const retain = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT;

    this.key = new kms.Key(this, 'DataKey', {
      alias: `alias/jab-${config.name}-data`,
      description: `Jab ${config.name}: database, cache, search, exports and secrets`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs only accept SSE-S3; CloudFront standard logs need ACLs.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) }],
          expiration: Duration.days(config.production ? 400 : 90),
          noncurrentVersionExpiration: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.reportsBucket = new s3.Bucket(this, 'ReportExports', {
      bucketName: names.reportsBucket(config),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'reports/',
      // Exports hold personal data: they are downloaded within days, then must not linger.
      lifecycleRules: [
        { expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.database = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_13 }),
      defaultDatabaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('jab_admin', { encryptionKey: this.key }),
      writer: rds.ClusterInstance.provisioned('Writer', {
        instanceType: new ec2.InstanceType(config.database.instanceType),
        availabilityZone: config.network.availabilityZones[0],
        enablePerformanceInsights: true,
        performanceInsightEncryptionKey: this.key,
      }),
      // The reader sits in another zone: it serves reads and is the failover target.
      readers: [
        rds.ClusterInstance.provisioned('Reader', {
          instanceType: new ec2.InstanceType(config.database.instanceType),
          availabilityZone: config.network.availabilityZones[1],
          enablePerformanceInsights: true,
          performanceInsightEncryptionKey: this.key,
          promotionTier: 0,
        }),
      ],
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      iamAuthentication: true,
      backup: { retention: Duration.days(config.database.backupRetentionDays), preferredWindow: '01:00-02:00' },
      deletionProtection: config.production,
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: config.services.logRetentionDays,
      monitoringInterval: Duration.seconds(60),
      removalPolicy: retain,
    });
    for (const instance of ['Writer', 'Reader']) {
      acknowledge(
        this.database.node.findChild(instance),
        'The reader is pinned to another zone than the writer on purpose: it is the failover target and must survive a zone loss.',
        'CloudFormation-Validate::W3010',
      );
    }
    acknowledge(
      this.database.node.findChild('MonitoringRole'),
      'AmazonRDSEnhancedMonitoringRole is the AWS-maintained minimal policy for enhanced monitoring; a copy would only drift.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    );
    if (!config.production) {
      acknowledge(
        this.database,
        'Non-production data is synthetic and environments are recreated at will; production has deletion protection.',
        'AwsSolutions-RDS10',
      );
    }
    this.database.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });

    this.appDbSecret = new secretsmanager.Secret(this, 'AppDbCredentials', {
      description: `Jab ${config.name}: the services' PostgreSQL user`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: APP_DB_USER }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    // Alternating users: tasks still holding last month's password keep working until they are replaced.
    this.database.addRotationMultiUser('AppDbRotation', {
      secret: this.appDbSecret.attach(this.database),
      automaticallyAfter: Duration.days(30),
    });

    this.redis = new Redis(this, 'Redis', {
      vpc,
      key: this.key,
      nodeType: config.redis.nodeType,
      replicas: config.redis.replicas,
      snapshotRetentionDays: config.production ? 7 : 1,
      logRetentionDays: config.services.logRetentionDays,
    });

    this.search = new SearchDomain(this, 'Search', {
      vpc,
      key: this.key,
      ...config.search,
      domainName: names.searchDomain(config),
      masterRoleArn: this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: names.searchTaskRole(config) }),
      production: config.production,
      logRetentionDays: config.services.logRetentionDays,
    });

    this.jwtSigningKey = new secretsmanager.Secret(this, 'JwtSigningKey', {
      description: `Jab ${config.name}: ES256 private JWK that signs every token (set by an operator, see docs/operations.md)`,
    });
    acknowledge(
      this.jwtSigningKey,
      'Rotating a signing key means publishing the new key in the JWKS before signing with it; that is the operator procedure in docs/operations.md, not a blind Lambda rotation.',
      'AwsSolutions-SMG4',
    );
    acknowledgeCdkHelpers(
      this,
      ['LogRetention'],
      "CDK's own log-retention function (for Aurora's exported logs): its policy is generated by aws-cdk-lib; log groups have no narrower resource at that point.",
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}

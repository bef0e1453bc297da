import { type CfnElement, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { serviceList, type ServiceName, type ServiceSpec } from '@jab/topology';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { BlueGreenService } from '../constructs/blue-green-service.construct.js';
import { REDIS_PORT } from '../constructs/redis.construct.js';
import { ServiceTask } from '../constructs/service-task.construct.js';
import { WorkerService } from '../constructs/worker-service.construct.js';
import { names } from '../naming.js';
import { DATABASE_NAME, type AppKeyName, type DataStack } from './data.stack.js';
import { acknowledge, acknowledgeCdkHelpers } from '../acknowledge.js';

export interface ServicesStackProps extends StackProps {
  config: EnvConfig;
  vpc: ec2.IVpc;
  data: DataStack;
  repositories: Record<ServiceName, ecr.IRepository>;
}

export const HTTPS_PORT = 443;

/** The keys each service is given (least privilege: its execution role reads no other). */
export const SERVICE_KEYS: Partial<Record<ServiceName, AppKeyName[]>> = {
  registration: ['OTP_SEALING_KEY', 'OTP_HASH_KEY', 'NATIONAL_ID_HASH_KEY', 'NATIONAL_ID_ENC_KEY'],
  notifications: ['OTP_SEALING_KEY'],
  search: ['SEARCH_CURSOR_KEY'],
};
/**
 * Services whose reads that tolerate a second of lag go to the Aurora reader endpoint
 * (DATABASE_READ_URL, docs/decisions/0006-read-replica.md). Search reads OpenSearch, so its
 * tasks open no reader pool.
 */
export const READER_SERVICES: readonly ServiceName[] = ['registration', 'notifications', 'analytics'];
/** CodeDeploy's test listener: the green tasks answer here before any user traffic moves. */
export const TEST_LISTENER_PORT = 8443;
/** Who may reach the test listener directly (the security group here, the ALB's web ACL in the edge stack). */
export const testListenerCidrs = (config: EnvConfig): string[] => config.testListenerCidrs ?? [config.network.cidr];

/**
 * The ECS cluster, the one ALB and, for every service in @jab/topology, its API
 * (blue/green) and worker services. Stateless: it can be destroyed and recreated.
 * It depends on the data stack, never the reverse: the rules that let tasks reach
 * the data stores are created here, on the data stores' security groups.
 */
export class ServicesStack extends Stack {
  /** Where SES reports what happened to each email (see emailEventsFor). */
  readonly emailEvents: { configurationSet: ses.ConfigurationSet; topic: sns.Topic };
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly apis: Record<ServiceName, BlueGreenService>;
  readonly workers: Partial<Record<ServiceName, WorkerService>>;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { config, vpc, data } = props;
    // Declared up front so grants on the data stack's key land in this stack's policies, not in the key's.
    this.addStackDependency(data);

    this.emailEvents = this.emailEventsFor(config);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: names.cluster(config),
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    // CloudFront is the only way in: a client reaching the ALB directly would skip the
    // CLOUDFRONT-scope web ACL (decision 0003). The edge stack's web ACL on the ALB also
    // requires CloudFront's secret origin header, since any distribution has these addresses.
    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: 'ALB: HTTPS from the CloudFront origin-facing addresses only, the CodeDeploy test listener from inside only',
      allowAllOutbound: false,
    });
    // The list counts as its max entries (55) against the group's 60 inbound rules: one port only (no
    // port 80: CloudFront speaks HTTPS to the origin), the few test listener CIDRs beside it.
    albSecurityGroup.addIngressRule(ec2.Peer.prefixList(this.cloudFrontOriginFacing()), ec2.Port.tcp(HTTPS_PORT), 'HTTPS from CloudFront');
    for (const cidr of testListenerCidrs(config)) {
      albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(TEST_LISTENER_PORT), 'CodeDeploy test traffic');
    }

    const tasksSecurityGroup = new ec2.SecurityGroup(this, 'TasksSecurityGroup', {
      vpc,
      description: `Jab ${config.name} service tasks`,
      allowAllOutbound: true,
    });
    for (const spec of serviceList()) {
      tasksSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(spec.port), `ALB to ${spec.name}`);
      albSecurityGroup.addEgressRule(tasksSecurityGroup, ec2.Port.tcp(spec.port), `ALB to ${spec.name}`);
    }
    const allowTasksTo = (name: string, group: ec2.ISecurityGroup, port: number) =>
      new ec2.CfnSecurityGroupIngress(this, `TasksTo${name}`, {
        groupId: group.securityGroupId,
        sourceSecurityGroupId: tasksSecurityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: `Jab ${config.name} tasks to ${name}`,
      });
    allowTasksTo('Database', data.database.connections.securityGroups[0], data.database.clusterEndpoint.port);
    allowTasksTo('Redis', data.redis.securityGroup, REDIS_PORT);
    allowTasksTo('Search', data.search.securityGroup, 443);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: config.production,
      idleTimeout: Duration.seconds(60),
    });
    this.loadBalancer.logAccessLogs(data.accessLogsBucket, `alb/${config.name}`);

    const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', config.domain.albCertificateArn);
    const notFound = elbv2.ListenerAction.fixedResponse(404, {
      contentType: 'application/problem+json',
      messageBody: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }),
    });
    const listener = this.loadBalancer.addListener('Https', {
      port: HTTPS_PORT,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: notFound,
      open: false,
    });
    const testListener = this.loadBalancer.addListener('Test', {
      port: TEST_LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction: notFound,
      open: false,
    });

    const application = new codedeploy.EcsApplication(this, 'Deployments', {
      applicationName: names.codedeployApplication(config),
    });
    const deploymentConfig = new codedeploy.EcsDeploymentConfig(this, 'Canary', {
      trafficRouting: new codedeploy.TimeBasedCanaryTrafficRouting({
        percentage: config.canary.percentage,
        interval: Duration.minutes(config.canary.intervalMinutes),
      }),
    });

    const bounds = (scaling: { minTasks: number; maxTasks: number }) => {
      const maxTasks = Math.min(scaling.maxTasks, config.services.maxTasksCap ?? scaling.maxTasks);
      const minTasks = Math.min(config.services.minTasks ?? scaling.minTasks, maxTasks);
      return { minTasks, maxTasks };
    };

    const apis: Partial<Record<ServiceName, BlueGreenService>> = {};
    this.workers = {};
    serviceList().forEach((spec, index) => {
      const taskRole = this.taskRole(spec, config, data);
      const image = ecs.ContainerImage.fromEcrRepository(props.repositories[spec.name], config.bootstrapImageTag);
      const settings = { config, spec, image, taskRole, ...this.settingsOf(spec, config, data, tasksSecurityGroup) };

      const apiTask = new ServiceTask(this, `${spec.name}-api-task`, { ...settings, role: 'api' });
      apis[spec.name] = new BlueGreenService(this, `${spec.name}-api`, {
        config,
        spec,
        task: apiTask,
        cluster: this.cluster,
        securityGroup: tasksSecurityGroup,
        loadBalancer: this.loadBalancer,
        listener,
        testListener,
        priority: (index + 1) * 10,
        application,
        deploymentConfig,
        ...bounds(spec.api),
      });

      if (spec.worker) {
        const workerTask = new ServiceTask(this, `${spec.name}-worker-task`, { ...settings, role: 'worker' });
        if (spec.name === 'analytics') this.allowReportTasks(taskRole, workerTask);
        this.workers[spec.name] = new WorkerService(this, `${spec.name}-worker`, {
          config,
          spec,
          task: workerTask,
          cluster: this.cluster,
          securityGroup: tasksSecurityGroup,
          ...bounds(spec.worker),
        });
      }
    });
    this.apis = apis as Record<ServiceName, BlueGreenService>;
  }

  /**
   * The id of AWS's managed prefix list of CloudFront's origin-facing addresses, read
   * at deploy time (a synth-time lookup would need credentials). Ids differ by region.
   */
  private cloudFrontOriginFacing(): string {
    const name = 'com.amazonaws.global.cloudfront.origin-facing';
    const lookup = new cr.AwsCustomResource(this, 'CloudFrontOriginFacing', {
      onUpdate: {
        service: 'EC2',
        action: 'DescribeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [name] }] },
        physicalResourceId: cr.PhysicalResourceId.of(name),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    acknowledge(
      lookup,
      'ec2:DescribeManagedPrefixLists supports no resource-level permission: AWS accepts only * for it. The call is read-only.',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledgeCdkHelpers(
      this,
      ['AWS679f53fac002430cb0da5b7982bd2287'],
      "CDK's own function behind AwsCustomResource (the prefix list lookup): its role, with the basic Lambda logging policy, is generated by aws-cdk-lib.",
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }

  /** Least privilege: a service's own role holds only what its code calls in AWS. */
  private taskRole(spec: ServiceSpec, config: EnvConfig, data: DataStack): iam.Role {
    const role = new iam.Role(this, `${spec.name}-task-role`, {
      // search's name is fixed: the OpenSearch domain maps it as the fine-grained access control master.
      roleName: spec.name === 'search' ? names.searchTaskRole(config) : undefined,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Jab ${config.name} ${spec.name} tasks`,
    });
    // Written out instead of CDK's grant helpers, whose action wildcards (s3:GetObject*,
    // kms:GenerateDataKey*) are wider than what the code calls.
    if (spec.name === 'search') {
      const domain = this.formatArn({ service: 'es', resource: 'domain', resourceName: names.searchDomain(config) });
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete'],
          resources: [domain, `${domain}/*`],
        }),
      );
      acknowledge(
        role,
        'Index paths of the one search domain (domain/jab-<env>/*); fine-grained access control narrows them further.',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:es:${this.region}:${this.account}:domain/${names.searchDomain(config)}/*]`,
      );
    }
    if (spec.name === 'notifications') {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
      acknowledge(
        role,
        'SMS to a phone number is an SNS Publish without a topic: AWS accepts no narrower resource for it (topics are not used).',
        'AwsSolutions-IAM5[Resource::*]',
      );
    }
    if (spec.name === 'analytics') {
      const bucket = `arn:${this.partition}:s3:::${names.reportsBucket(config)}`;
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket] }));
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [`${bucket}/*`] }),
      );
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [data.key.keyArn] }));
      acknowledge(
        role,
        'Objects of the one report-export bucket: exports are written and read by key under it.',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${names.reportsBucket(config)}/*]`,
      );
    }
    return role;
  }

  /**
   * SES → SNS → notifications: every email is sent with this configuration set, whose
   * delivery, bounce, complaint and reject events reach the notifications API over HTTPS
   * (signed by SNS, verified there) and become each message's delivered/dead status.
   */
  private emailEventsFor(config: EnvConfig): { configurationSet: ses.ConfigurationSet; topic: sns.Topic } {
    // Events name recipients' addresses: encrypted at rest, with a key SES may use.
    const key = new kms.Key(this, 'EmailEventsKey', {
      description: `Jab ${config.name}: SES email events in SNS`,
      enableKeyRotation: true,
    });
    key.grant(new iam.ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');
    const topic = new sns.Topic(this, 'EmailEvents', { masterKey: key, enforceSSL: true, displayName: `Jab ${config.name} email events` });
    topic.addSubscription(new subscriptions.UrlSubscription(`https://${config.domain.web}/api/notifications/v1/provider-events/ses`, { protocol: sns.SubscriptionProtocol.HTTPS }));
    const configurationSet = new ses.ConfigurationSet(this, 'Email', { configurationSetName: names.sesConfigurationSet(config) });
    configurationSet.addEventDestination('ToNotifications', {
      destination: ses.EventDestination.snsTopic(topic),
      events: [ses.EmailSendingEvent.DELIVERY, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    return { configurationSet, topic };
  }

  /**
   * Reports run as one-off Fargate tasks of the analytics worker's task definition
   * (REPORT_RUNNER=ecs): the api starts, follows and, past its bound, stops them, and
   * passes that task definition's two roles to ECS. Nothing else in ECS or IAM.
   */
  private allowReportTasks(role: iam.Role, workerTask: ServiceTask): void {
    const family = workerTask.family;
    const arn = (resource: string) => `arn:${this.partition}:ecs:${this.region}:${this.account}:${resource}`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [arn(`task-definition/${family}:*`)],
        conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [arn(`task/${this.cluster.clusterName}/*`)] }),
    );
    const executionRole = workerTask.taskDefinition.executionRole;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [role.roleArn, ...(executionRole ? [executionRole.roleArn] : [])],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    acknowledge(
      role,
      'Report tasks: any revision of the one analytics worker family (blue/green registers new ones), and the tasks of the one cluster, whose ids are only known at run time.',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${this.region}:${this.account}:task-definition/${family}:*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${this.region}:${this.account}:task/<${this.getLogicalId(this.cluster.node.defaultChild as CfnElement)}>/*]`,
    );
  }

  /** Environment and secrets of a service's containers (both roles). */
  private settingsOf(spec: ServiceSpec, config: EnvConfig, data: DataStack, tasksSecurityGroup: ec2.ISecurityGroup) {
    const db = data.database.clusterEndpoint;
    // The user and password come from the rotated secret as PGUSER/PGPASSWORD, which pg
    // reads when the URL has none: the URL itself holds no credential.
    const databaseUrl = (endpoint: rds.Endpoint) => `postgres://${endpoint.hostname}:${endpoint.port}/${DATABASE_NAME}?sslmode=no-verify`;
    const environment: Record<string, string> = {
      DATABASE_URL: databaseUrl(db),
      REDIS_PREFIX: `jab-${config.name}`,
      // The Environment dimension of the custom metrics (Jab/WaitingJobs) the workers publish.
      JAB_ENVIRONMENT: config.name,
      // Viewer → CloudFront → ALB: the client is two X-Forwarded-For hops from the right (the ALB
      // takes CloudFront's traffic only, so neither entry can be written by a client).
      TRUST_PROXY_HOPS: '2',
    };
    const secrets: Record<string, ecs.Secret> = {
      PGUSER: ecs.Secret.fromSecretsManager(data.appDbSecret, 'username'),
      PGPASSWORD: ecs.Secret.fromSecretsManager(data.appDbSecret, 'password'),
      REDIS_URL: ecs.Secret.fromSecretsManager(data.redis.urlSecret),
    };
    for (const key of SERVICE_KEYS[spec.name] ?? []) secrets[key] = ecs.Secret.fromSecretsManager(data.appKeys[key]);
    // Same user: the reader instance refuses every write whoever asks, and with no replica
    // up (failover) the reader endpoint resolves to the writer, so reads go on.
    if (READER_SERVICES.includes(spec.name)) environment.DATABASE_READ_URL = databaseUrl(data.database.clusterReadEndpoint);
    if (spec.name === 'registration') {
      secrets.JWT_PRIVATE_JWK = ecs.Secret.fromSecretsManager(data.jwtSigningKey);
      // The `iss` of vaccination certificates: verifiers fetch its /.well-known/jwks.json.
      environment.SHC_ISSUER_URL = `https://${config.domain.web}/api/registration/v1`;
    } else {
      environment.JWKS_URL = `https://${config.domain.web}/api/registration/v1/.well-known/jwks.json`;
      // Read through the public domain like the JWKS: center availability for the public center
      // search, and the access check (region rule + access log) before staff see a person's messages.
      if (spec.name === 'search' || spec.name === 'notifications') environment.REGISTRATION_URL = `https://${config.domain.web}/api/registration/v1`;
    }
    if (spec.name === 'search') {
      // The scale engine, its requests signed with the task role (SigV4): the domain's
      // fine-grained access control maps that role as master user and admits signed requests only.
      Object.assign(environment, { SEARCH_ENGINE: 'opensearch', OPENSEARCH_AUTH: 'aws-sigv4', AWS_REGION: this.region });
      environment.OPENSEARCH_URL = `https://${data.search.domain.domainEndpoint}`;
      // The registrant index's primary shards, sized with the domain (docs/search.md).
      environment.OPENSEARCH_REGISTRANT_SHARDS = String(config.search.registrantShards);
    }
    if (spec.name === 'analytics') {
      // Exports go to S3 (presigned downloads); each report runs as its own Fargate task.
      Object.assign(environment, {
        REPORT_STORE: 's3',
        REPORT_BUCKET: data.reportsBucket.bucketName,
        REPORT_RUNNER: 'ecs',
        ECS_CLUSTER: this.cluster.clusterName,
        ECS_TASK_DEFINITION: names.family(config, spec.name, 'worker'),
        ECS_CONTAINER_NAME: names.container(spec.name),
        ECS_SUBNETS: this.cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds.join(','),
        ECS_SECURITY_GROUPS: tasksSecurityGroup.securityGroupId,
        AWS_REGION: this.region,
      });
    }
    if (spec.name === 'notifications') {
      // Email through SES's SMTP interface (the URL with its SMTP credentials is set by an
      // operator, see docs/operations.md), SMS through SNS with the task role.
      Object.assign(environment, {
        NOTIFY_EMAIL_TRANSPORT: 'smtp',
        NOTIFY_SMS_TRANSPORT: 'sns',
        NOTIFY_EMAIL_FROM: `Jab <no-reply@${config.domain.web}>`,
        SES_CONFIGURATION_SET: names.sesConfigurationSet(config),
        SES_EVENTS_TOPIC_ARN: this.emailEvents.topic.topicArn,
        AWS_REGION: this.region,
      });
      secrets.SMTP_URL = ecs.Secret.fromSecretsManager(data.smtpUrl);
    }
    return { environment, secrets };
  }
}

import { Match, Template } from 'aws-cdk-lib/assertions';
import { serviceList, services as topology } from '@jab/topology';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildJab, type JabStacks } from '../src/app.js';
import { prod } from '../src/config/index.js';
import { testApp } from './app-context.js';

// Production alone, synthesized once: every Template below comes from the same assembly.
let stacks: JabStacks;
let outdir: string;
const t = {} as Record<'network' | 'data' | 'services' | 'edgeWaf' | 'edge' | 'observability', Template>;

beforeAll(() => {
  const made = testApp();
  outdir = made.outdir;
  stacks = buildJab(made.app, [prod]).prod;
  for (const part of ['network', 'data', 'services', 'edgeWaf', 'edge', 'observability'] as const) t[part] = Template.fromStack(stacks[part]);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const apiCount = serviceList().length;
const workerCount = serviceList().filter((s) => s.worker).length;

describe('network', () => {
  it('spans three zones with public, private and isolated subnets, flow logs and private endpoints', () => {
    t.network.resourceCountIs('AWS::EC2::VPC', 1);
    t.network.resourceCountIs('AWS::EC2::Subnet', 9);
    t.network.resourceCountIs('AWS::EC2::NatGateway', 3);
    t.network.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssmmessages']) {
      t.network.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-central-1.${service}`,
        PrivateDnsEnabled: true,
      });
    }
    t.network.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
  });
});

describe('data', () => {
  it('runs Aurora PostgreSQL with a writer and a reader in another zone, KMS, IAM auth and backups', () => {
    t.data.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: 35,
      DeletionProtection: true,
    });
    t.data.resourceCountIs('AWS::RDS::DBInstance', 2);
    t.data.hasResourceProperties('AWS::RDS::DBInstance', { AvailabilityZone: 'eu-central-1a' });
    t.data.hasResourceProperties('AWS::RDS::DBInstance', { AvailabilityZone: 'eu-central-1b' });
    t.data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('rotates the database credentials (admin and the services user)', () => {
    t.data.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    t.data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ username: 'jab_app' }) }),
    });
  });

  it('runs Redis Multi-AZ with failover, TLS, encryption at rest, an AUTH token and noeviction', () => {
    t.data.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      ReplicasPerNodeGroup: 2,
    });
    const [group] = Object.values(t.data.findResources('AWS::ElastiCache::ReplicationGroup'));
    // A dynamic reference: CloudFormation reads the token from Secrets Manager, the template never holds it.
    expect(JSON.stringify(group.Properties.AuthToken)).toContain('{{resolve:secretsmanager:');
    t.data.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { Properties: { 'maxmemory-policy': 'noeviction' } });
  });

  it('runs OpenSearch with 3 dedicated masters over 3 zones, encrypted, HTTPS only, fine-grained access control', () => {
    t.data.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        InstanceCount: 6,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      }),
      EncryptionAtRestOptions: Match.objectLike({ Enabled: true }),
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: Match.objectLike({ EnforceHTTPS: true }),
      AdvancedSecurityOptions: Match.objectLike({ Enabled: true }),
    });
  });

  it('keeps buckets private, encrypted, TLS-only and expiring', () => {
    const buckets = t.data.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
      expect(bucket.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
    }
    t.data.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

/** A `## heading` section of a doc, up to the next `## `. */
function docSection(file: string, heading: string): string {
  const text = readFileSync(join(import.meta.dirname, '../..', file), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `${file} has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}
const mentions = (text: string, pattern: RegExp) => [...new Set(text.match(pattern) ?? [])].sort();

describe('OpenSearch sizing (100 million registrants)', () => {
  it('runs 6 × r7g.xlarge.search data nodes, 3 × m7g.large.search masters, zone awareness over 3 zones, 300 GiB gp3 each', () => {
    t.data.resourceCountIs('AWS::OpenSearchService::Domain', 1);
    t.data.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceType: 'r7g.xlarge.search',
        InstanceCount: 6,
        DedicatedMasterEnabled: true,
        DedicatedMasterType: 'm7g.large.search',
        DedicatedMasterCount: 3,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      }),
      EBSOptions: Match.objectLike({ EBSEnabled: true, VolumeSize: 300, VolumeType: 'gp3' }),
    });
  });

  it('gives the search tasks, and only them, the registrant index\'s 12 primary shards', () => {
    const tasks = Object.values(t.services.findResources('AWS::ECS::TaskDefinition'));
    const shardsOf = Object.fromEntries(
      tasks.map((task) => {
        const [container] = task.Properties.ContainerDefinitions;
        const setting = (container.Environment as { Name: string; Value: unknown }[]).find((e) => e.Name === 'OPENSEARCH_REGISTRANT_SHARDS');
        return [task.Properties.Family as string, setting?.Value];
      }),
    );
    const searchFamilies = Object.keys(shardsOf).filter((family) => family.startsWith('jab-prod-search-'));
    expect(searchFamilies.sort()).toEqual(['jab-prod-search-api', ...(topology.search.worker ? ['jab-prod-search-worker'] : [])]);
    for (const [family, shards] of Object.entries(shardsOf)) {
      expect(shards, family).toBe(searchFamilies.includes(family) ? '12' : undefined);
    }
  });

  it('runs the search tasks, and only them, on OpenSearch over HTTPS, each request SigV4-signed with the task role in the domain\'s region', () => {
    const tasks = Object.values(t.services.findResources('AWS::ECS::TaskDefinition'));
    const envOf = Object.fromEntries(
      tasks.map((task) => {
        const [container] = task.Properties.ContainerDefinitions;
        const env = container.Environment as { Name: string; Value: unknown }[];
        return [task.Properties.Family as string, Object.fromEntries(env.map((e) => [e.Name, e.Value]))];
      }),
    );
    const searchFamilies = Object.keys(envOf).filter((family) => family.startsWith('jab-prod-search-'));
    expect(searchFamilies.sort()).toEqual(['jab-prod-search-api', ...(topology.search.worker ? ['jab-prod-search-worker'] : [])]);
    // The signature's scope names the region: it must be the domain's, which lives in the data stack.
    expect(stacks.data.region).toBe(prod.network.region);
    for (const family of searchFamilies) {
      expect(envOf[family], family).toMatchObject({
        SEARCH_ENGINE: 'opensearch',
        OPENSEARCH_AUTH: 'aws-sigv4',
        AWS_REGION: stacks.data.region,
        OPENSEARCH_URL: { 'Fn::Join': ['', expect.arrayContaining(['https://'])] },
      });
    }
    for (const [family, env] of Object.entries(envOf).filter(([family]) => !searchFamilies.includes(family))) {
      expect(env, family).not.toHaveProperty('SEARCH_ENGINE');
      expect(env, family).not.toHaveProperty('OPENSEARCH_AUTH');
    }
  });

  // The reasoning lives in docs/search.md, the numbers in config/prod.ts: every node type and count,
  // volume and shard count the docs name must be the configured one, so changing either alone fails.
  it.each([
    ['docs/search.md', 'Sizing OpenSearch for 100 million registrants'],
    ['docs/operations.md', 'OpenSearch sizing (100 million registrants)'],
  ])('%s states exactly the production config', (file, heading) => {
    const section = docSection(file, heading);
    const [domain] = Object.values(t.data.findResources('AWS::OpenSearchService::Domain'));
    const masters = domain?.Properties.ClusterConfig.DedicatedMasterCount as number;
    const { dataNodes, dataNodeType, masterNodeType, volumeGiB, registrantShards } = prod.search;
    expect({
      nodes: mentions(section, /\d+ × `[\w.-]+\.search`/g),
      volumes: mentions(section, /\d+ GiB gp3/g),
      shards: mentions(section, /\d+ primary shards/g),
    }).toEqual({
      nodes: [`${dataNodes} × \`${dataNodeType}\``, `${masters} × \`${masterNodeType}\``].sort(),
      volumes: [`${volumeGiB} GiB gp3`],
      shards: [`${registrantShards} primary shards`],
    });
  });
});

describe('services', () => {
  it('runs an ECS cluster with Container Insights and one API and one worker service per topology service', () => {
    t.services.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    t.services.resourceCountIs('AWS::ECS::TaskDefinition', apiCount + workerCount);
    t.services.resourceCountIs('AWS::ECS::Service', apiCount + workerCount);
    for (const spec of serviceList()) {
      t.services.hasResourceProperties('AWS::ECS::Service', {
        ServiceName: `${spec.name}-api`,
        DeploymentController: { Type: 'CODE_DEPLOY' },
        // CloudFormation never changes the running revision: tools/deploy does (decision 0002).
        TaskDefinition: `jab-prod-${spec.name}-api`,
      });
    }
  });

  it('runs every container as non-root on a read-only root file system, with logs, secrets and a task-local /tmp', () => {
    const tasks = Object.values(t.services.findResources('AWS::ECS::TaskDefinition'));
    for (const task of tasks) {
      const [container] = task.Properties.ContainerDefinitions;
      expect(container.User).toBe('1000');
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      expect(container.MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }]);
      const secrets = container.Secrets.map((s: { Name: string }) => s.Name);
      expect(secrets).toEqual(expect.arrayContaining(['PGUSER', 'PGPASSWORD', 'REDIS_URL']));
      const env = Object.fromEntries(container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
      expect(JSON.stringify(env)).not.toMatch(/password|token/i);
      // CloudFront then the ALB: the viewer is two X-Forwarded-For hops from the right.
      expect(env['TRUST_PROXY_HOPS']).toBe('2');
    }
    t.services.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/jab/prod/registration/api', RetentionInDays: 365 });
    t.services.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'jab-prod-registration-api',
      Cpu: String(topology.registration.cpu),
      Memory: String(topology.registration.memoryMiB),
      ContainerDefinitions: [Match.objectLike({ Secrets: Match.arrayWith([Match.objectLike({ Name: 'JWT_PRIVATE_JWK' })]) })],
    });
  });

  it('lets analytics run report tasks of its worker family in its cluster only, and notifications publish SMS', () => {
    const statementsOf = (rolePrefix: string) =>
      Object.entries(t.services.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(rolePrefix))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[]);
    const analytics = statementsOf('analyticstaskroleDefaultPolicy');
    const runTask = analytics.find((s) => s.Action === 'ecs:RunTask');
    expect(JSON.stringify(runTask?.Resource)).toContain(':task-definition/jab-prod-analytics-worker:*');
    expect(runTask?.Condition).toMatchObject({ ArnEquals: { 'ecs:cluster': expect.anything() } });
    const passRole = analytics.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect((passRole?.Resource as unknown[]).length).toBe(2);
    expect(analytics.some((s) => [s.Action].flat().some((a) => a.startsWith('sns:')))).toBe(false);
    const notifications = statementsOf('notificationstaskroleDefaultPolicy');
    expect(notifications.map((s) => s.Action)).toContain('sns:Publish');
    expect(notifications.some((s) => [s.Action].flat().some((a) => a.startsWith('ecs:') || a.startsWith('s3:')))).toBe(false);
  });

  it('routes SES delivery events through an encrypted, TLS-only topic to the notifications API', () => {
    t.services.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: Match.arrayWith(['delivery', 'bounce']) }),
    });
    t.services.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'jab-prod' });
    t.services.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.services.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: Match.stringLikeRegexp('^https://.+/api/notifications/v1/provider-events/ses$'),
    });
  });

  it('hands every service exactly the keys its production config requires, each generated by Secrets Manager', () => {
    const keysOf = (family: string) => {
      const [task] = Object.values(t.services.findResources('AWS::ECS::TaskDefinition', { Properties: { Family: family } }));
      return task!.Properties.ContainerDefinitions[0].Secrets.map((s: { Name: string }) => s.Name).filter((n: string) => /KEY|JWK/.test(n)).sort();
    };
    const registrationKeys = ['JWT_PRIVATE_JWK', 'NATIONAL_ID_ENC_KEY', 'NATIONAL_ID_HASH_KEY', 'OTP_HASH_KEY', 'OTP_SEALING_KEY'];
    expect(keysOf('jab-prod-registration-api')).toEqual(registrationKeys);
    expect(keysOf('jab-prod-registration-worker')).toEqual(registrationKeys);
    expect(keysOf('jab-prod-notifications-worker')).toEqual(['OTP_SEALING_KEY']);
    expect(keysOf('jab-prod-search-api')).toEqual(['SEARCH_CURSOR_KEY']);
    expect(keysOf('jab-prod-search-worker')).toEqual(['SEARCH_CURSOR_KEY']);
    expect(keysOf('jab-prod-analytics-worker')).toEqual([]);
    // 43 alphanumerics decode as base64url to the 32 bytes the services demand.
    t.data.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 43, ExcludePunctuation: true, IncludeSpace: false } }, 5);
  });

  it('sends reads that tolerate lag to the Aurora reader endpoint (registration, notifications, analytics; never search), writes to the writer', () => {
    const [cluster] = Object.keys(t.data.findResources('AWS::RDS::DBCluster'));
    const outputs = t.data.toJSON()['Outputs'] as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const exported = new Map(Object.values(outputs).flatMap((o) => (o.Export ? [[o.Export.Name, o.Value] as const] : [])));
    // The data-stack attribute a URL's host is imported from, and the port and database it names.
    const endpointOf = (url: unknown) => {
      const [scheme, host, colon, port, path] = (url as { 'Fn::Join': [string, { 'Fn::ImportValue': string }[]] })['Fn::Join'][1];
      expect([scheme, colon, path]).toEqual(['postgres://', ':', '/jab?sslmode=no-verify']);
      expect(exported.get(port?.['Fn::ImportValue'] ?? '')).toEqual({ 'Fn::GetAtt': [cluster, 'Endpoint.Port'] });
      return exported.get(host?.['Fn::ImportValue'] ?? '');
    };
    const readers = ['registration', 'notifications', 'analytics'];
    const tasks = Object.values(t.services.findResources('AWS::ECS::TaskDefinition'));
    expect(tasks).toHaveLength(apiCount + workerCount);
    for (const task of tasks) {
      const family = task.Properties.Family as string;
      const env = Object.fromEntries((task.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      expect(endpointOf(env['DATABASE_URL']), family).toEqual({ 'Fn::GetAtt': [cluster, 'Endpoint.Address'] });
      if (readers.some((name) => family.startsWith(`jab-prod-${name}-`))) {
        expect(endpointOf(env['DATABASE_READ_URL']), family).toEqual({ 'Fn::GetAtt': [cluster, 'ReadEndpoint.Address'] });
      } else {
        expect(env, family).not.toHaveProperty('DATABASE_READ_URL');
      }
    }
  });

  it('serves HTTPS with the configured certificate, and no plain HTTP (CloudFront reaches it over HTTPS only)', () => {
    t.services.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: prod.domain.albCertificateArn }],
    });
    const ports = Object.values(t.services.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((l) => l.Properties.Port);
    expect(ports.sort()).toEqual([443, 8443]);
  });

  it("admits CloudFront's origin-facing prefix list on 443, resolved at deploy time, and the VPC on the test listener only", () => {
    const [groupId] = Object.keys(t.services.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^ALB') } }));
    const [lookupId] = Object.keys(t.services.findResources('Custom::AWS'));
    const lookup = Object.values(t.services.findResources('Custom::AWS'))[0].Properties;
    expect(JSON.parse(lookup.Create)).toMatchObject({
      service: 'EC2',
      action: 'DescribeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
    });
    const ingress = Object.values(t.services.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }));
    expect(ingress).toEqual([
      expect.objectContaining({ FromPort: 443, ToPort: 443, SourcePrefixListId: { 'Fn::GetAtt': [lookupId, 'PrefixLists.0.PrefixListId'] } }),
    ]);
    t.services.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^ALB'),
      SecurityGroupIngress: [{ CidrIp: prod.network.cidr, Description: 'CodeDeploy test traffic', FromPort: 8443, ToPort: 8443, IpProtocol: 'tcp' }],
    });
  });

  it("routes each topology path prefix to its blue target group, health-checked on the ready path, drained in 25 s", () => {
    t.services.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', apiCount * 2);
    for (const spec of serviceList()) {
      t.services.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [spec.pathPrefix, `${spec.pathPrefix}/*`] } }],
      });
      t.services.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: spec.port,
        TargetType: 'ip',
        HealthCheckPath: spec.health.ready,
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '25' }]),
      });
    }
  });

  it('scales APIs on CPU and on requests per task summed over both blue/green target groups', () => {
    const registration = topology.registration;
    t.services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: registration.api.minTasks,
      MaxCapacity: registration.api.maxTasks,
    });
    t.services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: registration.api.cpuTargetPercent,
      }),
    });
    t.services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: registration.api.requestsPerTargetPerMinute,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({ Id: 'blue', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }) }) }),
            Match.objectLike({ Id: 'green', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }) }) }),
            Match.objectLike({ Id: 'e1', Expression: '(FILL(blue, 0) + FILL(green, 0)) / FILL(tasks, 1)', ReturnData: true }),
          ]),
        },
      }),
    });
  });

  it('scales workers on the queue depth they publish', () => {
    t.services.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: topology.notifications.worker?.queueDepthPerTask,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              Id: 'waiting',
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({
                  Namespace: 'Jab',
                  MetricName: 'WaitingJobs',
                  Dimensions: Match.arrayWith([{ Name: 'Service', Value: 'notifications' }]),
                }),
              }),
            }),
          ]),
        },
      }),
    });
  });

  it('releases every API through a CodeDeploy blue/green group: canary, test listener, rollback on failure and alarms', () => {
    t.services.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', apiCount);
    t.services.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: {
        Type: 'TimeBasedCanary',
        TimeBasedCanary: { CanaryPercentage: prod.canary.percentage, CanaryInterval: prod.canary.intervalMinutes },
      },
    });
    t.services.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentGroupName: 'registration-api',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
    });
    for (const group of Object.values(t.services.findResources('AWS::CodeDeploy::DeploymentGroup'))) {
      expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(2);
      const [pair] = group.Properties.LoadBalancerInfo.TargetGroupPairInfoList;
      expect(pair.TargetGroups).toHaveLength(2);
      expect(pair.ProdTrafficRoute.ListenerArns).toHaveLength(1);
      expect(pair.TestTrafficRoute.ListenerArns).toHaveLength(1);
    }
    t.services.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: prod.alarms.http5xxPerMinute,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(registrationBlue, 0) + FILL(registrationGreen, 0)' })]),
    });
  });

  it('stores images in ECR with scan on push and immutable tags', () => {
    const registry = Template.fromStack(stacks.registry);
    registry.resourceCountIs('AWS::ECR::Repository', apiCount);
    registry.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'jab/registration',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
    });
  });
});

describe('edge', () => {
  type Rule = { Name: string; Action?: unknown; Statement: Record<string, Record<string, unknown>> };
  const aclOf = (template: Template) => Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties as { Scope: string; Rules: Rule[] };
  const idOf = (template: Template, type: string) => Object.keys(template.findResources(type))[0];
  const rateRule = (acl: { Rules: Rule[] }, name: string): Record<string, unknown> => acl.Rules.find((r) => r.Name === name)?.Statement.RateBasedStatement ?? {};

  it('guards CloudFront with a us-east-1 web ACL: managed groups, then rate limits keyed on the viewer address', () => {
    expect(stacks.edgeWaf.region).toBe('us-east-1');
    const acl = aclOf(t.edgeWaf);
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.Rules.map((r) => r.Name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
      'otp-requests-per-ip',
      'requests-per-ip',
    ]);
    const [otp, all] = [rateRule(acl, 'otp-requests-per-ip'), rateRule(acl, 'requests-per-ip')];
    // IP: the connection's address, which at CloudFront is the viewer's own; no header a client writes.
    for (const statement of [otp, all]) {
      expect(statement.AggregateKeyType).toBe('IP');
      expect(statement.ForwardedIPConfig).toBeUndefined();
      expect(statement.EvaluationWindowSec).toBe(300);
    }
    expect(otp.Limit).toBe(20);
    expect(otp.Limit).toBeLessThan(all.Limit as number);
    expect(otp.ScopeDownStatement).toEqual({
      ByteMatchStatement: {
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'STARTS_WITH',
        SearchString: '/api/registration/v1/otp-requests',
        TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
      },
    });
    for (const template of [t.edgeWaf, t.edge]) expect(JSON.stringify(template.toJSON())).not.toMatch(/FORWARDED_IP|X-Forwarded-For/i);
    t.edgeWaf.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    // CloudFront's web ACL logs to a log group in its own region.
    const [logging] = Object.values(t.edgeWaf.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toContain(':logs:us-east-1:111111111111:log-group:aws-waf-logs-jab-prod-cloudfront');
  });

  it("exempts the three NAT gateways' addresses, carried from the network stack, from the general per-IP limit only", () => {
    const acl = aclOf(t.edgeWaf);
    const all = rateRule(acl, 'requests-per-ip');
    const natSet = idOf(t.edgeWaf, 'AWS::WAFv2::IPSet');
    expect(all.ScopeDownStatement).toEqual({ NotStatement: { Statement: { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [natSet, 'Arn'] } } } } });
    const set = t.edgeWaf.findResources('AWS::WAFv2::IPSet')[natSet].Properties;
    expect(set.Scope).toBe('CLOUDFRONT');
    const eips = Object.keys(t.network.findResources('AWS::EC2::EIP'));
    expect(eips).toHaveLength(3);
    expect(set.Addresses).toHaveLength(3);
    set.Addresses.forEach((address: { 'Fn::Join': [string, [{ 'Fn::GetAtt': [string, string] }, string]] }, i: number) => {
      const [attribute, suffix] = address['Fn::Join'][1];
      expect(suffix).toBe('/32');
      expect(attribute['Fn::GetAtt'][1]).toContain(`FnGetAtt${eips[i]}PublicIp`);
    });
  });

  it('sends the ALB a secret origin header that the web ACL on the ALB requires, and runs no rate rule there', () => {
    const [distribution] = Object.values(t.edge.findResources('AWS::CloudFront::Distribution'));
    const config = distribution.Properties.DistributionConfig;
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringContaining('WafWebAcl')] });
    const api = config.Origins.find((o: { DomainName: unknown }) => o.DomainName === prod.domain.apiOrigin);
    const secretId = idOf(t.edge, 'AWS::SecretsManager::Secret');
    const secretValue = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
    expect(api.OriginCustomHeaders).toEqual([{ HeaderName: 'x-origin-verify', HeaderValue: secretValue }]);

    const acl = aclOf(t.edge);
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.Rules.map((r) => r.Name)).toEqual([
      'only-through-cloudfront',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
    const testSources = idOf(t.edge, 'AWS::WAFv2::IPSet');
    expect(acl.Rules[0]).toMatchObject({
      Action: { Block: {} },
      Statement: {
        NotStatement: {
          Statement: {
            OrStatement: {
              Statements: [
                {
                  ByteMatchStatement: {
                    FieldToMatch: { SingleHeader: { Name: 'x-origin-verify' } },
                    PositionalConstraint: 'EXACTLY',
                    SearchString: secretValue,
                    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                  },
                },
                { IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [testSources, 'Arn'] } } },
              ],
            },
          },
        },
      },
    });
    // The test listener's sources: the same CIDRs its security group rule admits on 8443.
    t.edge.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', Addresses: [prod.network.cidr] });
    expect(JSON.stringify(acl.Rules)).not.toContain('RateBasedStatement');
    t.edge.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    t.edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'x-origin-verify' } }]),
    });
  });

  it('serves the web app from S3 through CloudFront with origin access control and security headers, APIs uncached', () => {
    t.edge.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.edge.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ Override: true }),
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'") }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
    t.edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [prod.domain.web],
        CacheBehaviors: Match.arrayWith([Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' })]),
      }),
    });
  });

  it('lets the edge keep exactly the public availability and center lists, keyed on their own query, never on who asks', () => {
    const [distribution] = Object.values(t.edge.findResources('AWS::CloudFront::Distribution'));
    const behaviors = distribution.Properties.DistributionConfig.CacheBehaviors as Record<string, unknown>[];
    // First match wins: the cached reads come before every other API path, which is never cached.
    expect(behaviors.map((b) => b['PathPattern'])).toEqual(['/api/registration/v1/centers/*/availability', '/api/search/v1/centers', '/api/*']);
    const policies = t.edge.findResources('AWS::CloudFront::CachePolicy');
    const policyOf = (b: Record<string, unknown>) => policies[(b['CachePolicyId'] as { Ref: string }).Ref]?.Properties.CachePolicyConfig;
    const keys = behaviors.slice(0, 2).map((b) => {
      const config = policyOf(b);
      const key = config.ParametersInCacheKeyAndForwardedToOrigin;
      // Nothing personal in the key or on its way to the ALB: no headers (Authorization), no cookies, no origin request policy.
      expect(key.HeadersConfig.HeaderBehavior).toBe('none');
      expect(key.CookiesConfig.CookieBehavior).toBe('none');
      expect(b['OriginRequestPolicyId']).toBeUndefined();
      expect(b['AllowedMethods']).toEqual(['GET', 'HEAD', 'OPTIONS']);
      // The origin's s-maxage decides, for a minute at most.
      expect([config.MinTTL, config.DefaultTTL, config.MaxTTL]).toEqual([0, 0, 60]);
      return [key.QueryStringsConfig.QueryStringBehavior, key.QueryStringsConfig.QueryStrings];
    });
    expect(keys).toEqual([
      ['whitelist', ['date', 'v']],
      ['whitelist', ['q', 'language', 'vaccine', 'region', 'date', 'cursor', 'limit']],
    ]);
    const rest = behaviors[2] as Record<string, unknown>;
    expect(rest['CachePolicyId']).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    // The cached reads go through an Origin Shield in the services' region: one fetch per key and TTL reaches the ALB.
    const origins = distribution.Properties.DistributionConfig.Origins as { Id: string; OriginShield?: { Enabled: boolean; OriginShieldRegion: string } }[];
    const shielded = origins.filter((o) => o.OriginShield?.Enabled);
    expect(shielded.map((o) => o.OriginShield?.OriginShieldRegion)).toEqual([prod.network.region, prod.network.region]);
  });
});

describe('observability', () => {
  it('has a dashboard of ALB, ECS, queue, cache and database metrics, and alarms that notify an SNS topic', () => {
    t.observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(t.observability.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const metric of ['RequestCount', 'TargetResponseTime', 'HTTPCode_Target_5XX_Count', 'CPUUtilization', 'MemoryUtilization', 'WaitingJobs', 'CacheHitRate', 'DatabaseConnections']) {
      expect(body).toContain(metric);
    }
    t.observability.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const alarm of Object.values(t.observability.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
    t.observability.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: Match.anyValue() });
  });
});

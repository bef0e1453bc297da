import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { serviceList } from '@jab/topology';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { QUEUE_DEPTH_METRIC } from '../constructs/worker-service.construct.js';
import { names } from '../naming.js';
import type { DataStack } from './data.stack.js';
import type { ServicesStack } from './services.stack.js';

export interface ObservabilityStackProps extends StackProps {
  config: EnvConfig;
  data: DataStack;
  services: ServicesStack;
}

const minute = Duration.minutes(1);

/**
 * The environment's dashboard and the alarms that page (SNS). The alarms that roll a
 * deployment back live with each service (blue-green-service.construct.ts); a
 * composite alarm here pages when any of them fires. This stack depends on the
 * others and nothing depends on it, so it never creates a cycle.
 */
export class ObservabilityStack extends Stack {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config, data, services } = props;

    const key = new kms.Key(this, 'AlarmsKey', {
      description: `Jab ${config.name} alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to an encrypted topic only if they may use its key.
    key.grantEncryptDecrypt(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Jab ${config.name} alarms`, masterKey: key, enforceSSL: true });
    if (config.alarms.email) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));
    const page = new actions.SnsAction(this.topic);
    const alarm = (alarmId: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
      created.addAlarmAction(page);
      created.addOkAction(page);
      return created;
    };

    const alb = services.loadBalancer.metrics;
    const apis = serviceList().map((spec) => ({ spec, api: services.apis[spec.name], worker: services.workers[spec.name] }));

    // Any deployment-rollback alarm of any service also pages.
    const apiHealth = new cloudwatch.CompositeAlarm(this, 'ApiHealth', {
      alarmDescription: `Jab ${config.name}: an API answers with errors or slowly`,
      alarmRule: cloudwatch.AlarmRule.anyOf(...apis.flatMap(({ api }) => [api.errorsAlarm, api.latencyAlarm])),
    });
    apiHealth.addAlarmAction(page);
    apiHealth.addOkAction(page);

    alarm('AlbErrors', {
      alarmDescription: 'The ALB itself answers 5xx (no healthy target, or targets unreachable)',
      metric: alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' }),
      threshold: config.alarms.http5xxPerMinute,
      evaluationPeriods: 3,
    });
    alarm('DatabaseCpu', {
      alarmDescription: 'Aurora writer CPU above 80 % for 15 minutes',
      metric: data.database.metricCPUUtilization({ period: Duration.minutes(5) }),
      threshold: 80,
      evaluationPeriods: 3,
    });
    alarm('DatabaseConnections', {
      alarmDescription: 'Aurora connections near the instance limit',
      metric: data.database.metricDatabaseConnections({ period: minute, statistic: 'Maximum' }),
      threshold: config.production ? 4000 : 1000,
      evaluationPeriods: 5,
    });
    const redisNodes = Array.from({ length: config.redis.replicas + 1 }, (_, i) => `${data.redis.replicationGroup.ref}-00${i + 1}`);
    const redisMetric = (metricName: string, node: string, statistic = 'Average') =>
      new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: node }, period: minute, statistic });
    // noeviction: at 100 % Redis refuses writes, so enqueueing (and with it every booking) fails.
    alarm('RedisMemory', {
      alarmDescription: 'Redis primary memory above 75 % (noeviction: writes fail at 100 %)',
      metric: redisMetric('DatabaseMemoryUsagePercentage', redisNodes[0], 'Maximum'),
      threshold: 75,
      evaluationPeriods: 5,
    });
    alarm('SearchClusterRed', {
      alarmDescription: 'OpenSearch has unassigned primary shards',
      metric: data.search.domain.metricClusterStatusRed({ period: minute }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    alarm('SearchStorage', {
      alarmDescription: 'An OpenSearch node has less than 25 % of its disk free',
      metric: data.search.domain.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: config.search.volumeGiB * 1024 * 0.25,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    const queueDepth = (service: string) =>
      new cloudwatch.Metric({
        namespace: names.metricsNamespace,
        metricName: QUEUE_DEPTH_METRIC,
        dimensionsMap: { Environment: config.name, Service: service },
        period: minute,
        statistic: 'Maximum',
        label: service,
      });
    for (const { spec } of apis.filter((a) => a.worker && a.spec.worker)) {
      const perTask = spec.worker?.queueDepthPerTask ?? 1000;
      const maxTasks = spec.worker?.maxTasks ?? 1;
      alarm(`${spec.name}Backlog`, {
        alarmDescription: `${spec.name} workers are at their maximum and the queue still grows`,
        metric: queueDepth(spec.name),
        threshold: perTask * maxTasks,
        evaluationPeriods: 15,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `jab-${config.name}`,
      defaultInterval: Duration.hours(3),
    });
    const wide = { width: 12, height: 6 };
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Jab ${config.name}\nAPI traffic, errors and latency; tasks; queues; cache; database. Runbook: docs/operations.md`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'ALB requests per minute (per service, both target groups)',
        left: apis.map(({ api }) => api.requests),
      }),
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'ALB target response time (p50, p99)',
        left: [alb.targetResponseTime({ statistic: 'p50', period: minute }), alb.targetResponseTime({ statistic: 'p99', period: minute })],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        ...wide,
        title: '5xx per minute (targets and ALB)',
        left: [
          alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' }),
          alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' }),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ ...wide, title: 'Alarms', alarms: [apiHealth] }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'ECS CPU utilisation (%)',
        left: apis.flatMap(({ spec, api, worker }) => [
          api.service.metricCpuUtilization({ period: minute, label: `${spec.name} api` }),
          ...(worker ? [worker.service.metricCpuUtilization({ period: minute, label: `${spec.name} worker` })] : []),
        ]),
      }),
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'ECS memory utilisation (%)',
        left: apis.flatMap(({ spec, api, worker }) => [
          api.service.metricMemoryUtilization({ period: minute, label: `${spec.name} api` }),
          ...(worker ? [worker.service.metricMemoryUtilization({ period: minute, label: `${spec.name} worker` })] : []),
        ]),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'Queue depth (waiting jobs)',
        left: apis.filter((a) => a.worker).map(({ spec }) => queueDepth(spec.name)),
      }),
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'Redis cache hit ratio (%) and memory (%)',
        left: redisNodes.map((node) => redisMetric('CacheHitRate', node)),
        right: [redisMetric('DatabaseMemoryUsagePercentage', redisNodes[0], 'Maximum')],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'Database connections and CPU',
        left: [data.database.metricDatabaseConnections({ period: minute, statistic: 'Maximum' })],
        right: [data.database.metricCPUUtilization({ period: minute })],
      }),
      new cloudwatch.GraphWidget({
        ...wide,
        title: 'OpenSearch search latency (ms) and free storage (MiB)',
        left: [data.search.domain.metricSearchLatency({ period: minute })],
        right: [data.search.domain.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' })],
      }),
    );
  }
}

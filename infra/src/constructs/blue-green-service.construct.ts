import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ServiceSpec } from '@jab/topology';
import { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { names } from '../naming.js';
import { runningTasks, scalingTarget, trackMathExpression } from './scaling.js';
import { runLatestOfFamily, type ServiceTask } from './service-task.construct.js';
import { acknowledge } from '../acknowledge.js';

export interface BlueGreenServiceProps {
  config: EnvConfig;
  spec: ServiceSpec;
  task: ServiceTask;
  cluster: ecs.ICluster;
  securityGroup: ec2.ISecurityGroup;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  listener: elbv2.IApplicationListener;
  testListener: elbv2.IApplicationListener;
  /** ALB rule priority (unique per listener). */
  priority: number;
  application: codedeploy.IEcsApplication;
  deploymentConfig: codedeploy.IEcsDeploymentConfig;
  minTasks: number;
  maxTasks: number;
}

/** ECS waits this long for in-flight requests after deregistering a task: the service's graceful shutdown. */
export const DEREGISTRATION_DELAY = Duration.seconds(25);

/**
 * One API service released by CodeDeploy blue/green: the Fargate service (CODE_DEPLOY
 * controller), its two target groups behind path rules on the production and test
 * listeners, target tracking on CPU and on requests per task, the alarms that roll a
 * deployment back, and the deployment group that ties them together.
 */
export class BlueGreenService extends Construct {
  readonly service: ecs.FargateService;
  readonly blue: elbv2.ApplicationTargetGroup;
  readonly green: elbv2.ApplicationTargetGroup;
  readonly deploymentGroup: codedeploy.EcsDeploymentGroup;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly latencyAlarm: cloudwatch.Alarm;
  /** Requests per minute over both target groups. */
  readonly requests: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    const { config, spec } = props;
    const serviceName = names.ecsService(spec.name, 'api');

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName,
      cluster: props.cluster,
      taskDefinition: props.task.taskDefinition,
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
      desiredCount: props.minTasks,
      securityGroups: [props.securityGroup],
      vpcSubnets: { subnets: props.cluster.vpc.privateSubnets },
      assignPublicIp: false,
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      minHealthyPercent: 100,
    });
    runLatestOfFamily(this.service, props.task);

    const targetGroup = (color: string) =>
      new elbv2.ApplicationTargetGroup(this, color, {
        vpc: props.cluster.vpc,
        targetType: elbv2.TargetType.IP,
        port: spec.port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        deregistrationDelay: DEREGISTRATION_DELAY,
        // Readiness, not liveness: a task that cannot reach PostgreSQL or Redis gets no traffic.
        healthCheck: {
          path: spec.health.ready,
          healthyHttpCodes: '200',
          interval: Duration.seconds(10),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
    this.blue = targetGroup('Blue');
    this.green = targetGroup('Green');
    this.service.attachToApplicationTargetGroup(this.blue);

    const conditions = [elbv2.ListenerCondition.pathPatterns([spec.pathPrefix, `${spec.pathPrefix}/*`])];
    // Production traffic starts on blue, test traffic on green; each deployment
    // CodeDeploy puts the new tasks behind the idle group and swaps both rules.
    const rule = (ruleId: string, listener: elbv2.IApplicationListener, group: elbv2.ApplicationTargetGroup) =>
      new elbv2.ApplicationListenerRule(this, ruleId, {
        listener,
        priority: props.priority,
        conditions,
        action: elbv2.ListenerAction.forward([group]),
      });
    rule('Rule', props.listener, this.blue);
    rule('TestRule', props.testListener, this.green);

    // Metric ids are unique per service: the dashboard graphs every service's expression together.
    const [b, g] = [`${spec.name}Blue`, `${spec.name}Green`];
    const sum = `FILL(${b}, 0) + FILL(${g}, 0)`;
    const both = (metric: (tg: elbv2.ApplicationTargetGroup) => cloudwatch.IMetric, expression: string, label: string) =>
      new cloudwatch.MathExpression({
        expression,
        label,
        period: Duration.minutes(1),
        usingMetrics: { [b]: metric(this.blue), [g]: metric(this.green) },
      });
    this.requests = both((tg) => tg.metrics.requestCount({ period: Duration.minutes(1) }), sum, `${spec.name} requests`);

    this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription: `${spec.name}: target 5xx per minute over both target groups (rolls a deployment back)`,
      metric: both(
        (tg) => tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1) }),
        sum,
        `${spec.name} 5xx`,
      ),
      threshold: config.alarms.http5xxPerMinute,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latencyAlarm = new cloudwatch.Alarm(this, 'Latency', {
      alarmDescription: `${spec.name}: p99 target response time of the slower target group (rolls a deployment back)`,
      metric: both(
        (tg) => tg.metrics.targetResponseTime({ statistic: 'p99', period: Duration.minutes(1) }),
        `MAX([FILL(${b}, 0), FILL(${g}, 0)])`,
        `${spec.name} p99`,
      ),
      threshold: config.alarms.p99LatencySeconds,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deploymentGroup = new codedeploy.EcsDeploymentGroup(this, 'Deployment', {
      application: props.application,
      deploymentGroupName: names.deploymentGroup(spec.name),
      service: this.service,
      deploymentConfig: props.deploymentConfig,
      blueGreenDeploymentConfig: {
        blueTargetGroup: this.blue,
        greenTargetGroup: this.green,
        listener: props.listener,
        testListener: props.testListener,
        // Old tasks stay up a while after the switch: a rollback in that window is instant.
        terminationWaitTime: Duration.minutes(config.production ? 30 : 5),
      },
      alarms: [this.errorsAlarm, this.latencyAlarm],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });

    acknowledge(
      this.deploymentGroup.role,
      'AWSCodeDeployRoleForECS is the policy CodeDeploy documents for ECS blue/green (task sets, listeners, alarms); it is maintained by AWS as the service evolves.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]',
    );
    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: spec.api.cpuTargetPercent,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    // ALBRequestCountPerTarget names one target group; during and after a blue/green
    // switch the traffic is on the other one, so sum both and divide by running tasks.
    const requestCount = (tg: elbv2.ApplicationTargetGroup, metricId: string) => ({
      id: metricId,
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCount',
      dimensions: { LoadBalancer: props.loadBalancer.loadBalancerFullName, TargetGroup: tg.targetGroupFullName },
      stat: 'Sum',
    });
    trackMathExpression(this, 'RequestsPerTask', scalingTarget(scaling), {
      metrics: [requestCount(this.blue, 'blue'), requestCount(this.green, 'green'), runningTasks('tasks', props.cluster.clusterName, serviceName)],
      expression: '(FILL(blue, 0) + FILL(green, 0)) / FILL(tasks, 1)',
      label: `${spec.name} requests per task per minute`,
      targetValue: spec.api.requestsPerTargetPerMinute ?? 6000,
    });
  }
}

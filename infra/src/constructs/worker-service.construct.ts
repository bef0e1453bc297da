import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { ServiceSpec } from '@jab/topology';
import { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { names } from '../naming.js';
import { runningTasks, scalingTarget, trackMathExpression } from './scaling.js';
import { runLatestOfFamily, type ServiceTask } from './service-task.construct.js';

export interface WorkerServiceProps {
  config: EnvConfig;
  spec: ServiceSpec;
  task: ServiceTask;
  cluster: ecs.ICluster;
  securityGroup: ec2.ISecurityGroup;
  minTasks: number;
  maxTasks: number;
}

/**
 * Custom metric the worker role publishes (CloudWatch embedded metric format in its
 * log stream): jobs waiting in the service's consumer queues, dimensions
 * Environment and Service.
 */
export const QUEUE_DEPTH_METRIC = 'WaitingJobs';

/**
 * A service's queue workers (ROLE=worker): no load balancer, rolling deployments
 * with the circuit breaker, scaled on the waiting jobs per task and on CPU.
 */
export class WorkerService extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { config, spec } = props;
    const serviceName = names.ecsService(spec.name, 'worker');
    const scalingSpec = spec.worker;
    if (!scalingSpec) throw new Error(`${spec.name} has no worker role in @jab/topology`);

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName,
      cluster: props.cluster,
      taskDefinition: props.task.taskDefinition,
      desiredCount: props.minTasks,
      securityGroups: [props.securityGroup],
      vpcSubnets: { subnets: props.cluster.vpc.privateSubnets },
      assignPublicIp: false,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    runLatestOfFamily(this.service, props.task);

    const scaling = this.service.autoScaleTaskCount({ minCapacity: props.minTasks, maxCapacity: props.maxTasks });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: scalingSpec.cpuTargetPercent });
    trackMathExpression(this, 'QueueDepthPerTask', scalingTarget(scaling), {
      metrics: [
        {
          id: 'waiting',
          namespace: names.metricsNamespace,
          metricName: QUEUE_DEPTH_METRIC,
          dimensions: { Environment: config.name, Service: spec.name },
          // Every worker task reports the same queues: the maximum, not the sum, is the backlog.
          stat: 'Maximum',
        },
        runningTasks('tasks', props.cluster.clusterName, serviceName),
      ],
      expression: 'FILL(waiting, 0) / FILL(tasks, 1)',
      label: `${spec.name} waiting jobs per worker task`,
      targetValue: scalingSpec.queueDepthPerTask ?? 1000,
      // A drained queue should not shed workers mid-burst.
      scaleInCooldownSeconds: Duration.minutes(10).toSeconds(),
    });
  }
}

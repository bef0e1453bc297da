import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

export interface MetricStat {
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string;
}

/**
 * Target tracking on a metric-math expression. The L2 `scaleToTrackCustomMetric`
 * takes one metric; request rate per task under blue/green needs the sum of two
 * target groups divided by the running tasks, which only the L1 can express.
 */
export function trackMathExpression(
  scope: Construct,
  id: string,
  target: appscaling.ScalableTarget,
  options: { expression: string; label: string; metrics: MetricStat[]; targetValue: number; scaleInCooldownSeconds?: number },
): appscaling.CfnScalingPolicy {
  return new appscaling.CfnScalingPolicy(scope, id, {
    policyName: id,
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: options.targetValue,
      scaleInCooldown: options.scaleInCooldownSeconds ?? 300,
      scaleOutCooldown: 60,
      customizedMetricSpecification: {
        metrics: [
          ...options.metrics.map((m) => ({
            id: m.id,
            returnData: false,
            metricStat: {
              stat: m.stat,
              metric: {
                namespace: m.namespace,
                metricName: m.metricName,
                dimensions: Object.entries(m.dimensions).map(([name, value]) => ({ name, value })),
              },
            },
          })),
          { id: 'e1', expression: options.expression, label: options.label, returnData: true },
        ],
      },
    },
  });
}

/** Container Insights' running task count of one ECS service (the divisor of per-task targets). */
export function runningTasks(id: string, clusterName: string, serviceName: string): MetricStat {
  return {
    id,
    namespace: 'ECS/ContainerInsights',
    metricName: 'RunningTaskCount',
    dimensions: { ClusterName: clusterName, ServiceName: serviceName },
    stat: 'Average',
  };
}

/** The ScalableTarget behind ECS's ScalableTaskCount, which the L2 does not expose. */
export function scalingTarget(scaling: ecs.ScalableTaskCount): appscaling.ScalableTarget {
  return scaling.node.findChild('Target') as appscaling.ScalableTarget;
}

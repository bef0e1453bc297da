import type { Logger } from '@jab/logger';
import type { Queue } from '@jab/queue';

export const QUEUE_DEPTH_NAMESPACE = 'Jab';
export const QUEUE_DEPTH_METRIC = 'WaitingJobs';

/**
 * Writes the jobs waiting in `queues` as one CloudWatch embedded-metric-format line
 * (`Jab/WaitingJobs`, dimensions Environment and Service). On Fargate the log driver
 * ships it to CloudWatch Logs, which turns it into the metric the worker service's
 * autoscaling tracks; locally it is just a log line.
 */
export async function publishQueueDepth(args: {
  queues: Queue[];
  logger: Logger;
  environment: string;
  service: string;
  now?: Date;
}): Promise<number> {
  const counts = await Promise.all(args.queues.map((q) => q.getJobCounts('waiting', 'prioritized')));
  const waiting = counts.reduce((sum, c) => sum + (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), 0);
  args.logger.info(
    {
      _aws: {
        Timestamp: (args.now ?? new Date()).getTime(),
        CloudWatchMetrics: [
          {
            Namespace: QUEUE_DEPTH_NAMESPACE,
            Dimensions: [['Environment', 'Service']],
            Metrics: [{ Name: QUEUE_DEPTH_METRIC, Unit: 'Count' }],
          },
        ],
      },
      Environment: args.environment,
      Service: args.service,
      [QUEUE_DEPTH_METRIC]: waiting,
    },
    'queue depth',
  );
  return waiting;
}

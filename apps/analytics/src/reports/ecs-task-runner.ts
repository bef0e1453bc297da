import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '@jab/logger';
import type { TaskOutcome, TaskRunner } from './task-runner.js';

export interface EcsTaskRunnerOptions {
  client: ECSClient;
  cluster: string;
  /** The service's own task definition: the report runs from the same image. */
  taskDefinition: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
  logger: Logger;
  pollIntervalMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * AWS runner: a Fargate task from the service's image with the command overridden
 * (`node main.js run-report <id>`), watched with DescribeTasks until it stops.
 */
export class EcsTaskRunner implements TaskRunner {
  constructor(private readonly options: EcsTaskRunnerOptions) {}

  async run(command: string, args: string[]): Promise<TaskOutcome> {
    const { client, cluster, taskDefinition, containerName, subnets, securityGroups, logger } = this.options;
    const started = await client.send(
      new RunTaskCommand({
        cluster,
        taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: 'jab-analytics',
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' } },
        overrides: { containerOverrides: [{ name: containerName, command: ['node', 'main.js', command, ...args] }] },
      }),
    );
    const taskArn = started.tasks?.[0]?.taskArn;
    if (!taskArn) {
      const failure = started.failures?.[0];
      throw new Error(`ECS did not start the task: ${failure?.reason ?? 'no task returned'}${failure?.detail ? ` (${failure.detail})` : ''}`);
    }
    logger.info({ command, taskArn }, 'ECS task started');
    return this.waitForStop(taskArn);
  }

  private async waitForStop(taskArn: string): Promise<TaskOutcome> {
    const { client, cluster, containerName, logger, pollIntervalMs = 6_000, timeoutMs = 3_600_000, sleep = defaultSleep } = this.options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
      const task = described.tasks?.[0];
      if (task?.lastStatus === 'STOPPED') {
        const container = task.containers?.find((c) => c.name === containerName);
        const outcome: TaskOutcome = {
          // No exit code means the container never ran (image pull, resources…): a failure.
          exitCode: container?.exitCode ?? -1,
          reason: container?.reason ?? task.stoppedReason,
        };
        logger.info({ taskArn, exitCode: outcome.exitCode }, 'ECS task stopped');
        return outcome;
      }
      if (!task && described.failures?.length) {
        return { exitCode: -1, reason: `ECS lost the task: ${described.failures[0]?.reason ?? 'unknown'}` };
      }
      if (Date.now() >= deadline) {
        await client.send(new StopTaskCommand({ cluster, task: taskArn, reason: 'report task timed out' }));
        return { exitCode: -1, reason: 'timed out' };
      }
      await sleep(pollIntervalMs);
    }
  }
}

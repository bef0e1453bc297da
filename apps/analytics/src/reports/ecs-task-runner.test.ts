import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { createLogger } from '@jab/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EcsTaskRunner } from './ecs-task-runner.js';

const ecs = mockClient(ECSClient);
const taskArn = 'arn:aws:ecs:eu-north-1:111111111111:task/jab/abc123';

function runner(overrides: Partial<ConstructorParameters<typeof EcsTaskRunner>[0]> = {}) {
  return new EcsTaskRunner({
    client: new ECSClient({ region: 'eu-north-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    cluster: 'jab',
    taskDefinition: 'jab-analytics:7',
    containerName: 'analytics',
    subnets: ['subnet-a', 'subnet-b'],
    securityGroups: ['sg-1'],
    logger: createLogger({ service: 'test', level: 'silent' }),
    pollIntervalMs: 1,
    ...overrides,
  });
}

beforeEach(() => ecs.reset());

describe('EcsTaskRunner (ECS API mocked with aws-sdk-client-mock)', () => {
  it('runs the command in a Fargate task from the same task definition and reports exit code 0 once it stopped', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn, lastStatus: 'PROVISIONING' }], failures: [] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn, lastStatus: 'PENDING' }] })
      .resolvesOnce({ tasks: [{ taskArn, lastStatus: 'RUNNING', containers: [{ name: 'analytics' }] }] })
      .resolves({ tasks: [{ taskArn, lastStatus: 'STOPPED', containers: [{ name: 'analytics', exitCode: 0 }] }] });

    await expect(runner().run('run-report', ['r-1'])).resolves.toMatchObject({ exitCode: 0 });

    const [run] = ecs.commandCalls(RunTaskCommand);
    expect(run?.args[0].input).toMatchObject({
      cluster: 'jab',
      taskDefinition: 'jab-analytics:7',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: { containerOverrides: [{ name: 'analytics', command: ['node', 'main.js', 'run-report', 'r-1'] }] },
    });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(3);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({ cluster: 'jab', tasks: [taskArn] });
  });

  it('reports the container’s non-zero exit code and reason as a failure', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn, lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'analytics', exitCode: 1 }] }],
    });
    await expect(runner().run('run-report', ['r-2'])).resolves.toEqual({ exitCode: 1, reason: 'Essential container in task exited' });
  });

  it('treats a task that stopped without an exit code (never ran) as failed', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn, lastStatus: 'STOPPED', stoppedReason: 'CannotPullContainerError', containers: [{ name: 'analytics' }] }],
    });
    await expect(runner().run('run-report', ['r-3'])).resolves.toEqual({ exitCode: -1, reason: 'CannotPullContainerError' });
  });

  it('rejects when ECS refuses to start the task, naming the reason', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY', arn: 'x' }] });
    await expect(runner().run('run-report', ['r-4'])).rejects.toThrow(/RESOURCE:MEMORY/);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });

  it('stops a task that outlives the timeout and reports it failed', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn, lastStatus: 'RUNNING' }] });
    ecs.on(StopTaskCommand).resolves({});
    await expect(runner({ timeoutMs: 20, pollIntervalMs: 5 }).run('run-report', ['r-5'])).resolves.toEqual({ exitCode: -1, reason: 'timed out' });
    expect(ecs.commandCalls(StopTaskCommand)[0]?.args[0].input).toMatchObject({ cluster: 'jab', task: taskArn });
  });
});

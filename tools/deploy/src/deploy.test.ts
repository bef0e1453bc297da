import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const ecs = mockClient(ECSClient);
const codedeploy = mockClient(CodeDeployClient);
const ecr = mockClient(ECRClient);
const clients = {
  ecs: new ECSClient({ region: 'eu-central-1' }),
  codedeploy: new CodeDeployClient({ region: 'eu-central-1' }),
  ecr: new ECRClient({ region: 'eu-central-1' }),
};
const REPO = '111111111111.dkr.ecr.eu-central-1.amazonaws.com/jab/registration';

/** What CloudFormation registered: the shape this tool must keep while it swaps the image. */
function registered(family: string): TaskDefinition {
  return {
    family,
    revision: 3,
    taskRoleArn: 'arn:aws:iam::111111111111:role/task',
    executionRoleArn: 'arn:aws:iam::111111111111:role/exec',
    networkMode: 'awsvpc',
    cpu: '1024',
    memory: '2048',
    requiresCompatibilities: ['FARGATE'],
    volumes: [{ name: 'tmp' }],
    containerDefinitions: [
      {
        name: 'registration',
        image: `${REPO}:bootstrap`,
        user: '1000',
        readonlyRootFilesystem: true,
        secrets: [{ name: 'PGPASSWORD', valueFrom: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:db:password::' }],
        environment: [{ name: 'ROLE', value: family.endsWith('worker') ? 'worker' : 'api' }],
      },
    ],
    status: 'ACTIVE',
    taskDefinitionArn: `arn:aws:ecs:eu-central-1:111111111111:task-definition/${family}:3`,
  };
}

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(argv, clients, { log: (l) => out.push(l), error: (l) => err.push(l), sleep: async () => undefined, pollMs: 0 });
  return code.then((exit) => ({ exit, out: out.join('\n'), err: err.join('\n') }));
}

beforeEach(() => {
  ecs.reset();
  codedeploy.reset();
  ecr.reset();
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['abc123'] }] });
  ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryUri: REPO }] });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: registered(input.taskDefinition),
    tags: [{ key: 'jab:environment', value: 'prod' }],
  }));
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => ({
    taskDefinition: { taskDefinitionArn: `arn:aws:ecs:eu-central-1:111111111111:task-definition/${input.family}:4` },
  }));
  ecs.on(UpdateServiceCommand).resolves({});
  ecs.on(DescribeServicesCommand).resolves({
    services: [{ deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 1, desiredCount: 1 }] }],
  });
  codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW' });
});

describe('deploy (mocked AWS APIs)', () => {
  it('registers a revision with only the image changed, shifts traffic with CodeDeploy and its AppSpec, then rolls the workers', async () => {
    codedeploy
      .on(GetDeploymentCommand)
      .resolvesOnce({ deploymentInfo: { status: 'InProgress', deploymentOverview: { InProgress: 1 } } })
      .resolvesOnce({ deploymentInfo: { status: 'Succeeded', deploymentOverview: { Succeeded: 1 } } });

    const result = await run(['deploy', '--env', 'prod', '--service', 'registration', '--image-tag', 'abc123']);

    expect(result.exit).toBe(0);
    expect(result.out).toContain('OK: registration abc123 deployed to prod (d-NEW)');
    expect(ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'jab/registration',
      imageIds: [{ imageTag: 'abc123' }],
    });
    const [apiRevision, workerRevision] = ecs.commandCalls(RegisterTaskDefinitionCommand).map((c) => c.args[0].input);
    expect(apiRevision.family).toBe('jab-prod-registration-api');
    expect(apiRevision.containerDefinitions?.[0]).toEqual({ ...registered('jab-prod-registration-api').containerDefinitions?.[0], image: `${REPO}:abc123` });
    expect(apiRevision).toMatchObject({ cpu: '1024', memory: '2048', volumes: [{ name: 'tmp' }], tags: [{ key: 'jab:environment', value: 'prod' }] });
    expect(workerRevision.family).toBe('jab-prod-registration-worker');

    const create = codedeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;
    expect(create.applicationName).toBe('jab-prod');
    expect(create.deploymentGroupName).toBe('registration-api');
    expect(JSON.parse(create.revision?.appSpecContent?.content ?? '')).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: 'arn:aws:ecs:eu-central-1:111111111111:task-definition/jab-prod-registration-api:4',
              LoadBalancerInfo: { ContainerName: 'registration', ContainerPort: 3001 },
            },
          },
        },
      ],
    });
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'jab-prod',
      service: 'registration-worker',
      taskDefinition: 'arn:aws:ecs:eu-central-1:111111111111:task-definition/jab-prod-registration-worker:4',
    });
  });

  it('reports a failed deployment with its reason, exits non-zero and leaves the workers alone', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        status: 'Failed',
        errorInformation: { code: 'ALARM_ACTIVE', message: 'One or more alarms have been activated: jab-prod-registration-errors' },
        rollbackInfo: { rollbackDeploymentId: 'd-BACK' },
      },
    });

    const result = await run(['deploy', '--env', 'prod', '--service', 'registration', '--image-tag', 'abc123']);

    expect(result.exit).toBe(1);
    expect(result.err).toContain('d-NEW Failed: One or more alarms have been activated');
    expect(result.err).toContain('rolled back by d-BACK');
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses an image tag that is not in ECR and changes nothing', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));

    const result = await run(['deploy', '--env', 'dev', '--service', 'search', '--image-tag', 'nope']);

    expect(result.exit).toBe(1);
    expect(result.err).toContain('image jab/search:nope is not in ECR');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('rejects unknown environments, services and malformed tags before calling AWS', async () => {
    const result = await run(['deploy', '--env', 'staging', '--service', 'billing', '--image-tag', '../latest']);
    expect(result.exit).toBe(2);
    expect(result.err).toMatch(/--env must be one of dev, test, qa, prod/);
    expect(result.err).toMatch(/--service must be one of/);
    expect(result.err).toMatch(/--image-tag/);
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});

describe('rollback (mocked AWS APIs)', () => {
  it('stops the deployment in progress with automatic rollback and follows the rollback to the end', async () => {
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-LIVE'] });
    codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    codedeploy.on(GetDeploymentCommand, { deploymentId: 'd-LIVE' }).resolves({
      deploymentInfo: { status: 'Stopped', rollbackInfo: { rollbackDeploymentId: 'd-BACK' } },
    });
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: 'd-BACK' })
      .resolvesOnce({ deploymentInfo: { status: 'InProgress' } })
      .resolves({ deploymentInfo: { status: 'Succeeded' } });

    const result = await run(['rollback', '--env', 'qa', '--service', 'notifications']);

    expect(result.exit).toBe(0);
    expect(codedeploy.commandCalls(ListDeploymentsCommand)[0].args[0].input).toMatchObject({
      applicationName: 'jab-qa',
      deploymentGroupName: 'notifications-api',
    });
    expect(codedeploy.commandCalls(StopDeploymentCommand)[0].args[0].input).toEqual({ deploymentId: 'd-LIVE', autoRollbackEnabled: true });
    expect(result.out).toContain('OK: notifications in qa rolled back: d-LIVE stopped, rollback d-BACK Succeeded');
  });

  it('says so when there is nothing in progress to roll back', async () => {
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });

    const result = await run(['rollback', '--env', 'prod', '--service', 'search']);

    expect(result.exit).toBe(1);
    expect(result.err).toContain('no search deployment in progress in prod');
    expect(codedeploy.commandCalls(StopDeploymentCommand)).toHaveLength(0);
  });
});

import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from '@aws-sdk/client-codedeploy';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, ImageNotFoundException } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { services, type ServiceName } from '@jab/topology';
import { names, type EnvName } from './names.js';
import { appSpec, renderTaskDefinition } from './task-definition.js';

export interface Clients {
  ecs: ECSClient;
  codedeploy: CodeDeployClient;
  ecr: ECRClient;
}

export interface Runtime {
  log: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** Between two polls of a deployment or a service. */
  pollMs: number;
  /** Gives up following (the deployment itself goes on) after this long. */
  timeoutMs: number;
}

export interface Target {
  env: EnvName;
  service: ServiceName;
}

export interface Outcome {
  ok: boolean;
  /** One line for humans and CI logs. */
  summary: string;
  deploymentId?: string;
  taskDefinitionArn?: string;
}

/** A deployment problem the operator can act on (wrong tag, nothing to roll back): exit 1 with this message. */
export class DeployError extends Error {
  override name = 'DeployError';
}

const FINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

/**
 * Release `imageTag` of one service: check the image exists, register a task
 * definition revision that runs it, shift the API with CodeDeploy blue/green
 * (canary, alarms, automatic rollback as the deployment group says), then roll the
 * workers onto the same image. Nothing changes if the image is missing.
 */
export async function deploy(clients: Clients, target: Target, imageTag: string, rt: Runtime): Promise<Outcome> {
  const spec = services[target.service];
  const image = await imageUri(clients.ecr, target.service, imageTag);
  rt.log(`image ${image} found`);

  const apiArn = await registerRevision(clients.ecs, names.family(target.env, target.service, 'api'), target.service, image);
  rt.log(`registered ${apiArn}`);
  const created = await clients.codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: names.codedeployApplication(target.env),
      deploymentGroupName: names.deploymentGroup(target.service),
      description: `${target.service} ${imageTag}`,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content: appSpec(apiArn, names.container(target.service), spec.port) },
      },
    }),
  );
  const deploymentId = created.deploymentId;
  if (!deploymentId) throw new Error('CodeDeploy returned no deployment id');
  rt.log(`started CodeDeploy deployment ${deploymentId}`);

  const final = await follow(clients.codedeploy, deploymentId, rt);
  if (final.status !== 'Succeeded') {
    const reason = final.errorInformation?.message ?? final.status ?? 'unknown';
    const rolledBack = final.rollbackInfo?.rollbackDeploymentId ? `; rolled back by ${final.rollbackInfo.rollbackDeploymentId}` : '';
    return { ok: false, deploymentId, taskDefinitionArn: apiArn, summary: `${target.service} api deployment ${deploymentId} ${final.status}: ${reason}${rolledBack}` };
  }

  if (spec.worker) {
    const workerArn = await registerRevision(clients.ecs, names.family(target.env, target.service, 'worker'), target.service, image);
    const worker = names.ecsService(target.service, 'worker');
    await clients.ecs.send(new UpdateServiceCommand({ cluster: names.cluster(target.env), service: worker, taskDefinition: workerArn }));
    rt.log(`rolling ${worker} to ${workerArn}`);
    const rollout = await followService(clients.ecs, target.env, worker, rt);
    if (rollout !== 'COMPLETED') {
      return { ok: false, deploymentId, taskDefinitionArn: apiArn, summary: `${target.service} api is on ${imageTag}, but the ${worker} rollout ended ${rollout}` };
    }
  }
  return { ok: true, deploymentId, taskDefinitionArn: apiArn, summary: `${target.service} ${imageTag} deployed to ${target.env} (${deploymentId})` };
}

/**
 * Stop the service's deployment in progress and let CodeDeploy roll traffic back
 * to the original task set, then follow the rollback to its end.
 */
export async function rollback(clients: Clients, target: Target, rt: Runtime): Promise<Outcome> {
  const listed = await clients.codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: names.codedeployApplication(target.env),
      deploymentGroupName: names.deploymentGroup(target.service),
      includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'],
    }),
  );
  const deploymentId = listed.deployments?.[0];
  if (!deploymentId) {
    throw new DeployError(
      `no ${target.service} deployment in progress in ${target.env}; to go back after one finished, deploy the previous image tag`,
    );
  }
  rt.log(`stopping ${deploymentId} with automatic rollback`);
  await clients.codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
  const stopped = await follow(clients.codedeploy, deploymentId, rt);
  const rollbackId = stopped.rollbackInfo?.rollbackDeploymentId;
  if (!rollbackId) {
    return { ok: stopped.status === 'Stopped', deploymentId, summary: `${deploymentId} ${stopped.status}; no rollback deployment was needed` };
  }
  rt.log(`following rollback deployment ${rollbackId}`);
  const restored = await follow(clients.codedeploy, rollbackId, rt);
  return {
    ok: restored.status === 'Succeeded',
    deploymentId: rollbackId,
    summary: `${target.service} in ${target.env} rolled back: ${deploymentId} stopped, rollback ${rollbackId} ${restored.status}`,
  };
}

async function imageUri(ecr: ECRClient, service: ServiceName, imageTag: string): Promise<string> {
  const repositoryName = names.repository(service);
  try {
    await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
  } catch (error) {
    if (error instanceof ImageNotFoundException || (error as Error).name === 'ImageNotFoundException') {
      throw new DeployError(`image ${repositoryName}:${imageTag} is not in ECR; build and push it first`);
    }
    throw error;
  }
  const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
  const uri = described.repositories?.[0]?.repositoryUri;
  if (!uri) throw new DeployError(`ECR repository ${repositoryName} not found`);
  return `${uri}:${imageTag}`;
}

/** Registers the family's latest revision (CloudFormation's shape) with the new image. */
async function registerRevision(ecs: ECSClient, family: string, container: string, image: string): Promise<string> {
  const current = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
  if (!current.taskDefinition) throw new DeployError(`task definition family ${family} not found; deploy infra first`);
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(renderTaskDefinition(current.taskDefinition, current.tags, container, image)));
  const arn = registered.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error(`ECS registered no revision of ${family}`);
  return arn;
}

async function follow(codedeploy: CodeDeployClient, deploymentId: string, rt: Runtime): Promise<DeploymentInfo> {
  const deadline = Date.now() + rt.timeoutMs;
  let last = '';
  for (;;) {
    const { deploymentInfo } = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
    if (!deploymentInfo) throw new Error(`deployment ${deploymentId} not found`);
    const overview = deploymentInfo.deploymentOverview;
    const line = `${deploymentId}: ${deploymentInfo.status}${overview ? ` (succeeded ${overview.Succeeded ?? 0}, in progress ${overview.InProgress ?? 0}, failed ${overview.Failed ?? 0})` : ''}`;
    if (line !== last) rt.log(line);
    last = line;
    if (FINAL.has(deploymentInfo.status ?? '')) return deploymentInfo;
    if (Date.now() > deadline) throw new DeployError(`stopped following ${deploymentId} after ${Math.round(rt.timeoutMs / 60000)} min; it is still ${deploymentInfo.status}`);
    await rt.sleep(rt.pollMs);
  }
}

/** Follows an ECS rolling deployment to COMPLETED or FAILED (the circuit breaker rolls back by itself). */
async function followService(ecs: ECSClient, env: EnvName, service: string, rt: Runtime): Promise<string> {
  const deadline = Date.now() + rt.timeoutMs;
  for (;;) {
    const { services: found } = await ecs.send(new DescribeServicesCommand({ cluster: names.cluster(env), services: [service] }));
    const primary = found?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
    const state = primary?.rolloutState ?? 'IN_PROGRESS';
    if (state !== 'IN_PROGRESS') {
      rt.log(`${service}: ${state} (${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} tasks)`);
      return state;
    }
    if (Date.now() > deadline) throw new DeployError(`stopped following ${service} after ${Math.round(rt.timeoutMs / 60000)} min`);
    await rt.sleep(rt.pollMs);
  }
}

import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

/**
 * The registration request for a copy of `current` whose `container` runs `image`.
 * Everything else (roles, sizes, environment, secrets, logging, volumes) is kept as
 * CloudFormation last registered it: infra/ owns the task's shape, this tool only
 * the image.
 */
export function renderTaskDefinition(
  current: TaskDefinition,
  tags: Tag[] | undefined,
  container: string,
  image: string,
): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === container)) {
    throw new Error(`task definition ${current.family} has no container named ${container}`);
  }
  return {
    family: current.family,
    taskRoleArn: current.taskRoleArn,
    executionRoleArn: current.executionRoleArn,
    networkMode: current.networkMode,
    containerDefinitions: containers.map((c) => (c.name === container ? { ...c, image } : c)),
    volumes: current.volumes,
    placementConstraints: current.placementConstraints,
    requiresCompatibilities: current.requiresCompatibilities,
    cpu: current.cpu,
    memory: current.memory,
    runtimePlatform: current.runtimePlatform,
    ephemeralStorage: current.ephemeralStorage,
    pidMode: current.pidMode,
    ipcMode: current.ipcMode,
    proxyConfiguration: current.proxyConfiguration,
    inferenceAccelerators: current.inferenceAccelerators,
    tags: tags && tags.length > 0 ? tags : undefined,
  };
}

/** The CodeDeploy AppSpec (JSON) that swaps an ECS service to `taskDefinitionArn`. */
export function appSpec(taskDefinitionArn: string, containerName: string, containerPort: number): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
          },
        },
      },
    ],
  });
}

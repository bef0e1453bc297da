import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ServiceSpec } from '@jab/topology';
import { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { names } from '../naming.js';
import { acknowledge } from '../acknowledge.js';

export interface ServiceTaskProps {
  config: EnvConfig;
  spec: ServiceSpec;
  role: 'api' | 'worker';
  image: ecs.ContainerImage;
  taskRole: iam.IRole;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

/** Where the read-only root file system lets the process write (a task-local scratch volume). */
export const TMP_PATH = '/tmp';
/** uid of the `node` user in the node:*-bookworm-slim images. */
const NODE_UID = '1000';

/**
 * The Fargate task definition of one service role. Its family name is fixed: the
 * service runs "the latest revision of the family", so CloudFormation owns the
 * task's shape and tools/deploy owns the image (see docs/decisions/0002).
 */
export class ServiceTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly family: string;

  constructor(scope: Construct, id: string, props: ServiceTaskProps) {
    super(scope, id);
    const { config, spec, role } = props;
    this.family = names.family(config, spec.name, role);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: this.family,
      cpu: spec.cpu,
      memoryLimitMiB: spec.memoryMiB,
      taskRole: props.taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      volumes: [{ name: 'tmp' }],
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: names.logGroup(config, spec.name, role),
      retention: config.services.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.container = this.taskDefinition.addContainer('App', {
      containerName: names.container(spec.name),
      image: props.image,
      user: NODE_UID,
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: [{ containerPort: spec.port, name: 'http' }],
      environment: {
        NODE_ENV: 'production',
        ROLE: role,
        PORT: String(spec.port),
        LOG_LEVEL: 'info',
        // Below the 30 s stop timeout, and equal to the ALB deregistration delay.
        SHUTDOWN_TIMEOUT_MS: '25000',
        ...props.environment,
      },
      secrets: props.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: role, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      stopTimeout: Duration.seconds(30),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${spec.port}${spec.health.live}',{signal:AbortSignal.timeout(4000)}).then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
    });
    acknowledge(
      this.taskDefinition,
      'Only non-secret settings are plain environment variables (ports, endpoints, prefixes); every credential is a Secrets Manager reference.',
      'AwsSolutions-ECS2',
    );
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      'ecr:GetAuthorizationToken has no resource-level permissions, so the execution role needs Resource "*" for it (image pulls and logs are scoped).',
      'AwsSolutions-IAM5[Resource::*]',
    );
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: TMP_PATH, readOnly: false });
  }
}

/** Makes the ECS service run the family's latest revision instead of the revision CloudFormation just registered. */
export function runLatestOfFamily(service: ecs.BaseService, task: ServiceTask): void {
  (service.node.defaultChild as ecs.CfnService).taskDefinition = task.family;
  service.node.addDependency(task.taskDefinition);
}

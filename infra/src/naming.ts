import type { ServiceName } from '@jab/topology';
import type { EnvConfig } from './config/types.js';

/**
 * Physical names that tools/deploy and the deploy workflow address by convention
 * (cluster, ECS services, task definition families, CodeDeploy application and
 * groups, ECR repositories). Changing one here breaks deployments: tools/deploy's
 * names.ts spells the same convention and both test suites pin it.
 */
export const names = {
  stack: (env: EnvConfig, part: string) => `jab-${env.name}-${part}`,
  cluster: (env: EnvConfig) => `jab-${env.name}`,
  ecsService: (service: ServiceName, role: 'api' | 'worker') => `${service}-${role}`,
  family: (env: EnvConfig, service: ServiceName, role: 'api' | 'worker') => `jab-${env.name}-${service}-${role}`,
  /** One container per task, named after the service: the AppSpec's ContainerName. */
  /** The SES configuration set every email is sent with (its events reach notifications). */
  sesConfigurationSet: (env: EnvConfig) => `jab-${env.name}`,
  container: (service: ServiceName) => service,
  codedeployApplication: (env: EnvConfig) => `jab-${env.name}`,
  deploymentGroup: (service: ServiceName) => `${service}-api`,
  /** The same `jab/<app>` the CI images job pushes to. */
  repository: (service: ServiceName) => `jab/${service}`,
  logGroup: (env: EnvConfig, service: ServiceName, role: 'api' | 'worker') => `/jab/${env.name}/${service}/${role}`,
  searchDomain: (env: EnvConfig) => `jab-${env.name}`,
  /** Fixed so task policies name it literally (no wildcard over a cross-stack token). */
  reportsBucket: (env: EnvConfig) => `jab-${env.name}-report-exports-${env.network.account}`,
  searchTaskRole: (env: EnvConfig) => `jab-${env.name}-search-task`,
  /** Custom metrics the services publish (CloudWatch embedded metric format in their logs). */
  metricsNamespace: 'Jab',
} as const;

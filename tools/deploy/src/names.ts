import type { ServiceName } from '@jab/topology';

export const ENVIRONMENTS = ['dev', 'test', 'qa', 'prod'] as const;
export type EnvName = (typeof ENVIRONMENTS)[number];

/**
 * The physical names infra/ gives each environment's resources (infra/src/naming.ts):
 * this tool addresses them by convention, and both test suites pin the same strings.
 */
export const names = {
  cluster: (env: EnvName) => `jab-${env}`,
  ecsService: (service: ServiceName, role: 'api' | 'worker') => `${service}-${role}`,
  family: (env: EnvName, service: ServiceName, role: 'api' | 'worker') => `jab-${env}-${service}-${role}`,
  container: (service: ServiceName) => service,
  codedeployApplication: (env: EnvName) => `jab-${env}`,
  deploymentGroup: (service: ServiceName) => `${service}-api`,
  repository: (service: ServiceName) => `jab/${service}`,
};

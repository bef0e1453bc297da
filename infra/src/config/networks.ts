import type { NetworkConfig } from './types.js';

/** Production's own account and VPC. */
export const prodNetwork: NetworkConfig = {
  name: 'prod',
  account: '111111111111',
  region: 'eu-central-1',
  availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  cidr: '10.10.0.0/16',
  natGateways: 3,
  flowLogRetentionDays: 365,
};

/** Development, test and QA share one account and one VPC. */
export const nonprodNetwork: NetworkConfig = {
  name: 'nonprod',
  account: '222222222222',
  region: 'eu-central-1',
  availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  cidr: '10.20.0.0/16',
  natGateways: 1,
  flowLogRetentionDays: 90,
};

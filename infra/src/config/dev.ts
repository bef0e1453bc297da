import { nonprodNetwork } from './networks.js';
import type { EnvConfig } from './types.js';

export const dev: EnvConfig = {
  name: 'dev',
  network: nonprodNetwork,
  production: false,
  domain: {
    web: 'dev.jab.example.org',
    apiOrigin: 'origin.dev.jab.example.org',
    albCertificateArn: 'arn:aws:acm:eu-central-1:222222222222:certificate/00000000-0000-4000-8000-000000000011',
    webCertificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-4000-8000-000000000012',
  },
  database: { instanceType: 'r7g.large', backupRetentionDays: 7 },
  redis: { nodeType: 'cache.t4g.medium', replicas: 1 },
  search: { dataNodeType: 'r7g.medium.search', dataNodes: 3, masterNodeType: 'm7g.medium.search', volumeGiB: 20, registrantShards: 1 },
  services: { minTasks: 1, maxTasksCap: 4, logRetentionDays: 30 },
  canary: { percentage: 50, intervalMinutes: 2 },
  alarms: { http5xxPerMinute: 20, p99LatencySeconds: 3 },
  bootstrapImageTag: 'bootstrap',
  testListenerCidrs: ['10.20.0.0/16'],
};

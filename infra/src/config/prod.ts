import { prodNetwork } from './networks.js';
import type { EnvConfig } from './types.js';

export const prod: EnvConfig = {
  name: 'prod',
  network: prodNetwork,
  production: true,
  domain: {
    web: 'jab.example.org',
    apiOrigin: 'origin.jab.example.org',
    albCertificateArn: 'arn:aws:acm:eu-central-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    webCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000002',
  },
  // Campaign-launch surges are write-heavy: a memory-optimised writer, reads spread to the reader.
  database: { instanceType: 'r7g.2xlarge', backupRetentionDays: 35 },
  redis: { nodeType: 'cache.r7g.large', replicas: 2 },
  // Sized for 100 million registrants: the reasoning is in docs/search.md (a test holds the two together).
  search: {
    dataNodeType: 'r7g.xlarge.search',
    dataNodes: 6,
    masterNodeType: 'm7g.large.search',
    volumeGiB: 300,
    registrantShards: 12,
  },
  services: { logRetentionDays: 365 },
  canary: { percentage: 10, intervalMinutes: 10 },
  alarms: { http5xxPerMinute: 10, p99LatencySeconds: 1.5, email: 'oncall@jab.example.org' },
  bootstrapImageTag: 'bootstrap',
};

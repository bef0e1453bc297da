/**
 * Typed settings of every Jab environment. One file per environment in this folder;
 * `bin/jab.ts` builds a stack set for each. Account ids in the repository are
 * placeholders (111111111111, 222222222222): the real ones replace them in these
 * files in the deploying organisation's fork, never via environment variables, so a
 * synth is reproducible and never depends on who runs it.
 */
export type EnvName = 'prod' | 'dev' | 'test' | 'qa';

/** One VPC, possibly shared by several environments of one AWS account. */
export interface NetworkConfig {
  /** `prod` or `nonprod`: the stack is `jab-<name>-network`. */
  name: string;
  account: string;
  region: string;
  /** Explicit zones (also in cdk.json context) so a synth never asks AWS. */
  availabilityZones: [string, string, string];
  cidr: string;
  /** One NAT per zone in production; one for the whole VPC elsewhere. */
  natGateways: number;
  flowLogRetentionDays: number;
}

export interface EnvConfig {
  name: EnvName;
  network: NetworkConfig;
  /** Production stacks refuse `cdk destroy` and keep data on delete. */
  production: boolean;
  domain: {
    /** The site users open; CloudFront serves the web app and forwards `/api/*`. */
    web: string;
    /** The ALB's own name (CloudFront's API origin); matches `certificateArn`. */
    apiOrigin: string;
    /** Regional ACM certificate for the ALB's HTTPS listeners. */
    albCertificateArn: string;
    /** ACM certificate in us-east-1 for CloudFront. */
    webCertificateArn: string;
  };
  database: {
    instanceType: string;
    backupRetentionDays: number;
  };
  redis: {
    nodeType: string;
    /** Replicas of the one shard; with Multi-AZ at least 1. */
    replicas: number;
  };
  search: {
    dataNodeType: string;
    dataNodes: number;
    masterNodeType: string;
    volumeGiB: number;
    /**
     * Primary shards of the registrant index (the search service's
     * `OPENSEARCH_REGISTRANT_SHARDS`); production's follows docs/search.md's sizing.
     */
    registrantShards: number;
  };
  services: {
    /** Caps every topology maxTasks (small environments do not need 200 tasks). */
    maxTasksCap?: number;
    /** Overrides every topology minTasks (1 task is enough outside production). */
    minTasks?: number;
    logRetentionDays: number;
  };
  /** CodeDeploy canary: this percentage first, the rest after `intervalMinutes`. */
  canary: { percentage: number; intervalMinutes: number };
  alarms: {
    /** Target 5xx responses per minute that fail a deployment and page. */
    http5xxPerMinute: number;
    /** p99 target response time that fails a deployment. */
    p99LatencySeconds: number;
    email?: string;
  };
  /** Image tag of the first task definition revision; tools/deploy owns every later one. */
  bootstrapImageTag: string;
  /** CIDRs that may reach the CodeDeploy test listener (operators' VPN, the VPC itself). */
  testListenerCidrs?: string[];
}

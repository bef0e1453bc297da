import { App, Tags, type Environment } from 'aws-cdk-lib';
import { environments, type EnvConfig, type NetworkConfig } from './config/index.js';
import { names } from './naming.js';
import { DataStack } from './stacks/data.stack.js';
import { EdgeStack } from './stacks/edge.stack.js';
import { CLOUDFRONT_WAF_REGION, EdgeWafStack } from './stacks/edge-waf.stack.js';
import { NetworkStack } from './stacks/network.stack.js';
import { ObservabilityStack } from './stacks/observability.stack.js';
import { RegistryStack } from './stacks/registry.stack.js';
import { ServicesStack } from './stacks/services.stack.js';

export interface JabStacks {
  network: NetworkStack;
  registry: RegistryStack;
  data: DataStack;
  services: ServicesStack;
  edgeWaf: EdgeWafStack;
  edge: EdgeStack;
  observability: ObservabilityStack;
}

/**
 * Every Jab environment in one CDK app. Per account: a network stack (prod's own
 * VPC; one `nonprod` VPC shared by dev, test and QA) and the ECR repositories. Per
 * environment: data (termination-protected), services, edge-waf (in us-east-1, where
 * CloudFront's web ACLs live), edge, observability.
 * Select with `cdk deploy 'jab-dev-*'` or `cdk deploy --all`.
 */
export function buildJab(app: App, envs: readonly EnvConfig[] = environments): Record<string, JabStacks> {
  const shared = new Map<string, { network: NetworkStack; registry: RegistryStack }>();
  const accountStacks = (network: NetworkConfig) => {
    let stacks = shared.get(network.name);
    if (!stacks) {
      const env: Environment = { account: network.account, region: network.region };
      stacks = {
        // Cross-region: the edge-waf stacks (us-east-1) exempt the NAT addresses from the per-IP limit.
        network: new NetworkStack(app, `jab-${network.name}-network`, { env, network, terminationProtection: true, crossRegionReferences: true }),
        registry: new RegistryStack(app, `jab-${network.name}-registry`, { env, terminationProtection: true }),
      };
      shared.set(network.name, stacks);
    }
    return stacks;
  };

  const built: Record<string, JabStacks> = {};
  for (const config of envs) {
    const { network, registry } = accountStacks(config.network);
    const env: Environment = { account: config.network.account, region: config.network.region };
    const vpc = network.vpc;
    const data = new DataStack(app, names.stack(config, 'data'), { env, config, vpc });
    const services = new ServicesStack(app, names.stack(config, 'services'), {
      env,
      config,
      vpc,
      data,
      repositories: registry.repositories,
    });
    // CDK carries the ACL's ARN (and the NAT addresses) across regions through SSM parameters it writes at deploy time.
    const edgeWaf = new EdgeWafStack(app, names.stack(config, 'edge-waf'), {
      env: { account: config.network.account, region: CLOUDFRONT_WAF_REGION },
      crossRegionReferences: true,
      config,
      natAddresses: network.natAddresses,
    });
    const edge = new EdgeStack(app, names.stack(config, 'edge'), {
      env,
      crossRegionReferences: true,
      config,
      loadBalancer: services.loadBalancer,
      data,
      webAclArn: edgeWaf.webAcl.attrArn,
    });
    const observability = new ObservabilityStack(app, names.stack(config, 'observability'), { env, config, data, services });
    for (const stack of [data, services, edgeWaf, edge, observability]) {
      Tags.of(stack).add('jab:environment', config.name);
    }
    built[config.name] = { network, registry, data, services, edgeWaf, edge, observability };
  }
  Tags.of(app).add('jab:project', 'jab');
  return built;
}

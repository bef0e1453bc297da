import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { fromIpSet, managedGroup, not, pathStartsWith, ratePerIp, WebAcl } from '../constructs/waf.construct.js';

/** CloudFront's web ACLs, their IP sets and their log groups exist in this region only. */
export const CLOUDFRONT_WAF_REGION = 'us-east-1';

/** The one-time-code route: each request sends a message, so it gets its own, much lower, rate limit. */
export const OTP_PATH = '/api/registration/v1/otp-requests';

export interface EdgeWafStackProps extends StackProps {
  config: EnvConfig;
  /**
   * The public addresses of the environment's NAT gateways: the services call
   * registration through CloudFront from them (JWKS, centre availability), many tasks
   * behind a few addresses, so the per-address limit does not apply to them.
   */
  natAddresses: string[];
}

/**
 * The environment's CLOUDFRONT-scope web ACL (us-east-1), which the edge stack's
 * distribution names: AWS managed groups (IP reputation, common threats, known bad
 * inputs, SQL injection), a rate limit per client address and a much stricter one on
 * the one-time-code route, where every request costs a message and invites
 * enumeration. At CloudFront the client address is the viewer's own, so the limits
 * key on it and not on X-Forwarded-For, which a client writes itself (decision 0003).
 */
export class EdgeWafStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = `jab-${config.name}-cloudfront`;

    const natAddresses = new wafv2.CfnIPSet(this, 'NatAddresses', {
      name: `${name}-nat`,
      description: `Jab ${config.name}: the NAT gateways the services call the public API from`,
      scope: 'CLOUDFRONT',
      ipAddressVersion: 'IPV4',
      addresses: props.natAddresses.map((address) => `${address}/32`),
    });

    this.webAcl = new WebAcl(this, 'Waf', {
      name,
      scope: 'CLOUDFRONT',
      logRetentionDays: config.services.logRetentionDays,
      rules: [
        managedGroup('AWSManagedRulesAmazonIpReputationList'),
        // The APIs accept bodies up to 100 kB (BODY_LIMIT); the group's 8 kB body rule would block valid requests.
        managedGroup('AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managedGroup('AWSManagedRulesKnownBadInputsRuleSet'),
        managedGroup('AWSManagedRulesSQLiRuleSet'),
        // No service calls this route, so no exemption: the same 20 codes per address for everyone.
        ratePerIp('otp-requests-per-ip', 20, pathStartsWith(OTP_PATH)),
        ratePerIp('requests-per-ip', config.production ? 3000 : 1000, not(fromIpSet(natAddresses.attrArn))),
      ],
    }).webAcl;
  }
}

import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WafProps {
  /** Resource to protect (the ALB). */
  resourceArn: string;
  /** Requests per IP per 5 minutes, over everything. */
  requestsPerIp: number;
  /** Requests per IP per 5 minutes to the one-time-code route (each one sends an SMS or e-mail). */
  otpRequestsPerIp: number;
  otpPath: string;
  logRetentionDays: number;
  namePrefix: string;
}

/**
 * WAFv2 web ACL on the ALB: AWS managed groups (IP reputation, common threats,
 * known bad inputs, SQL injection), a rate limit per client IP and a much stricter
 * one on the one-time-code route, where every request costs a message and invites
 * enumeration. The ALB sits behind CloudFront, so the client is the first address of
 * X-Forwarded-For (see docs/operations.md for what that means for spoofing).
 */
export class Waf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WafProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.namePrefix}-${metricName}`,
    });
    const managed = (name: string, priority: number, overrides: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(name),
    });
    const forwardedIp = { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' };
    const tooMany = { block: { customResponse: { responseCode: 429 } } };

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-alb`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        // The APIs accept bodies up to 100 kB (BODY_LIMIT); the group's 8 kB body rule would block valid requests.
        managed('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        managed('AWSManagedRulesSQLiRuleSet', 3),
        {
          name: 'otp-requests-per-ip',
          priority: 4,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: props.otpRequestsPerIp,
              evaluationWindowSec: 300,
              aggregateKeyType: 'FORWARDED_IP',
              forwardedIpConfig: forwardedIp,
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: props.otpPath,
                  textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('otp-requests-per-ip'),
        },
        {
          name: 'requests-per-ip',
          priority: 5,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: props.requestsPerIp,
              evaluationWindowSec: 300,
              aggregateKeyType: 'FORWARDED_IP',
              forwardedIpConfig: forwardedIp,
            },
          },
          visibilityConfig: visibility('requests-per-ip'),
        },
      ],
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF requires the `aws-waf-logs-` prefix; credentials never reach the log.
    const logGroupName = `aws-waf-logs-${props.namePrefix}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetentionDays as logs.RetentionDays,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group's ARN without the `:*` suffix CloudFormation's Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(logGroup);
  }
}

import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** A rule without its priority (its place in the list) and its metrics (named after it). */
export type WafRule = Omit<wafv2.CfnWebACL.RuleProperty, 'priority' | 'visibilityConfig'>;
type Statement = wafv2.CfnWebACL.StatementProperty;

export interface WebAclProps {
  /** `jab-<env>-cloudfront`, `jab-<env>-alb`: the ACL, its metrics' prefix and its log group `aws-waf-logs-<name>`. */
  name: string;
  /** CLOUDFRONT ACLs (and their log groups) exist in us-east-1 only. */
  scope: 'CLOUDFRONT' | 'REGIONAL';
  /** Evaluated in this order. */
  rules: WafRule[];
  /** A REGIONAL ACL's resource (the ALB); a distribution names its ACL itself (`webAclId`). */
  associateWith?: string;
  logRetentionDays: number;
  /** Headers never written to the log, besides authorization and cookie. */
  redactHeaders?: string[];
}

/** A WAFv2 web ACL that allows by default, runs `rules` in order and logs to CloudWatch Logs. */
export class WebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metricName}`,
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: props.scope,
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      rules: props.rules.map((rule, priority) => ({ ...rule, priority, visibilityConfig: visibility(rule.name) })),
    });

    if (props.associateWith) {
      new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.associateWith, webAclArn: this.webAcl.attrArn });
    }

    // WAF requires the `aws-waf-logs-` prefix; credentials never reach the log.
    const logGroupName = `aws-waf-logs-${props.name}`;
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
      redactedFields: ['authorization', 'cookie', ...(props.redactHeaders ?? [])].map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(logGroup);
  }
}

/** An AWS managed rule group; the rules named in `countOnly` count instead of blocking. */
export function managedGroup(name: string, countOnly: string[] = []): WafRule {
  return {
    name,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
      },
    },
  };
}

/**
 * At most `limit` requests per 5 minutes per source address, answered 429 beyond it.
 * The key is `IP`, the address of the TCP connection WAF sees, never a header: at
 * CloudFront that is the viewer's own address, which a client cannot forge.
 */
export function ratePerIp(name: string, limit: number, scopeDownStatement?: Statement): WafRule {
  return {
    name,
    action: { block: { customResponse: { responseCode: 429 } } },
    statement: { rateBasedStatement: { limit, evaluationWindowSec: 300, aggregateKeyType: 'IP', scopeDownStatement } },
  };
}

/** The URI path starts with `path` (case-insensitively: express routes ignore case). */
export function pathStartsWith(path: string): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: 'STARTS_WITH',
      searchString: path.toLowerCase(),
      textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
    },
  };
}

/** Header `name` is exactly `value` (no transformation: a secret compares byte for byte). */
export function headerEquals(name: string, value: string): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: name } },
      positionalConstraint: 'EXACTLY',
      searchString: value,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

export function fromIpSet(arn: string): Statement {
  return { ipSetReferenceStatement: { arn } };
}

export function not(statement: Statement): Statement {
  return { notStatement: { statement } };
}

export function anyOf(...statements: Statement[]): Statement {
  return statements.length === 1 ? statements[0] : { orStatement: { statements } };
}

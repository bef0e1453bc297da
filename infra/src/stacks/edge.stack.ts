import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { anyOf, fromIpSet, headerEquals, managedGroup, not, WebAcl } from '../constructs/waf.construct.js';
import type { DataStack } from './data.stack.js';
import { testListenerCidrs } from './services.stack.js';
import { acknowledge } from '../acknowledge.js';
import { EDGE_CACHED_READS } from '@jab/topology';

export interface EdgeStackProps extends StackProps {
  config: EnvConfig;
  loadBalancer: elbv2.IApplicationLoadBalancer;
  data: DataStack;
  /** The environment's CLOUDFRONT-scope web ACL (edge-waf stack, us-east-1). */
  webAclArn: string;
}

/** The header CloudFront adds to every request it sends the ALB; its value is a generated secret. */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/**
 * What users reach first: CloudFront serves the web app from S3 (origin access
 * control, security headers) and forwards `/api/*` to the ALB. The CLOUDFRONT-scope
 * web ACL of the edge-waf stack inspects every request there, keyed on the viewer's
 * own address. The ALB takes traffic from CloudFront only: its security group admits
 * CloudFront's origin-facing addresses (services stack), and the web ACL on it here
 * blocks what lacks CloudFront's secret origin header (decision 0003).
 * The web bucket lives here, beside its distribution: its bucket policy names the
 * distribution, and its content is rebuilt from the repository on every release.
 */
export class EdgeStack extends Stack {
  readonly webBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly originVerify: secretsmanager.Secret;
  readonly albWaf: WebAcl;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config, data } = props;

    // A shared secret, not an identity: it proves a request came through this
    // distribution (any CloudFront distribution can reach the ALB's addresses).
    this.originVerify = new secretsmanager.Secret(this, 'OriginVerify', {
      description: `Jab ${config.name}: the ${ORIGIN_VERIFY_HEADER} header CloudFront sends the ALB, which the ALB's web ACL requires`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    acknowledge(
      this.originVerify,
      'CloudFront and the ALB web ACL read it at deploy time (dynamic references); a rotation is a planned change of both (docs/operations.md), a blind Lambda rotation would desynchronise them.',
      'AwsSolutions-SMG4',
    );
    const originSecret = this.originVerify.secretValue.unsafeUnwrap();

    // The test listener (:8443) is reached directly, not through CloudFront.
    const testListener = new wafv2.CfnIPSet(this, 'TestListenerSources', {
      name: `jab-${config.name}-test-listener`,
      description: `Jab ${config.name}: who may reach the CodeDeploy test listener directly, the same CIDRs as the ALB security group`,
      scope: 'REGIONAL',
      ipAddressVersion: 'IPV4',
      addresses: testListenerCidrs(config),
    });
    // Defence in depth behind CloudFront's ACL. No rate rules here: every request
    // arrives from a CloudFront address (the only peers the security group admits), and
    // X-Forwarded-For is written by the client; IP reputation would see CloudFront too.
    this.albWaf = new WebAcl(this, 'Waf', {
      name: `jab-${config.name}-alb`,
      scope: 'REGIONAL',
      associateWith: props.loadBalancer.loadBalancerArn,
      logRetentionDays: config.services.logRetentionDays,
      redactHeaders: [ORIGIN_VERIFY_HEADER],
      rules: [
        {
          // Only this distribution sends the header; the test listener's sources are the one exception.
          name: 'only-through-cloudfront',
          action: { block: {} },
          statement: not(anyOf(headerEquals(ORIGIN_VERIFY_HEADER, originSecret), fromIpSet(testListener.attrArn))),
        },
        managedGroup('AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        managedGroup('AWSManagedRulesKnownBadInputsRuleSet'),
        managedGroup('AWSManagedRulesSQLiRuleSet'),
      ],
    });

    this.webBucket = new s3.Bucket(this, 'WebAssets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    // Set on the L1: the L2 option would add a statement to the log bucket's policy in the
    // data stack naming this bucket, and the data stack must not depend on this one.
    (this.webBucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: data.accessLogsBucket.bucketName,
      logFilePrefix: `web/${config.name}/`,
    };

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Jab security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
          override: true,
        },
      },
    });

    // Client-side routes (/staff/registrants/42) are the SPA's. Distribution-wide error
    // pages would also turn the APIs' own 404s into index.html, so rewrite here instead.
    const spaRoutes = new cloudfront.Function(this, 'SpaRoutes', {
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri.indexOf('.') === -1) { r.uri = '/index.html'; } return r; }",
      ),
    });

    // The ALB, reached over TLS with the secret header; for the cached reads through an
    // Origin Shield in the services' region, so one fetch per key and TTL reaches the ALB.
    const apiOrigin = (shieldRegion?: string) =>
      new origins.HttpOrigin(config.domain.apiOrigin, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        // On every request to the ALB; a viewer sending the same header gains nothing without the value.
        customHeaders: { [ORIGIN_VERIFY_HEADER]: originSecret },
        ...(shieldRegion ? { originShieldEnabled: true, originShieldRegion: shieldRegion } : {}),
      });

    this.distribution = new cloudfront.Distribution(this, 'Web', {
      comment: `Jab ${config.name}`,
      domainNames: [config.domain.web],
      certificate: acm.Certificate.fromCertificateArn(this, 'WebCertificate', config.domain.webCertificateArn),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: data.accessLogsBucket,
      logFilePrefix: `cloudfront/${config.name}/`,
      webAclId: props.webAclArn,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.webBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: spaRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // First match wins: the cached public reads before every other API path.
        ...Object.fromEntries(
          EDGE_CACHED_READS.map((read) => [
            read.path,
            {
              origin: apiOrigin(config.network.region),
              viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
              allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
              cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
              cachePolicy: new cloudfront.CachePolicy(this, `Cache${read.name}`, {
                comment: `Jab public ${read.name}: the origin's s-maxage decides, keyed on ${read.query.join(', ')} only`,
                // 0 / 0 / 60: only what the answer's Cache-Control allows is kept, never longer than a minute.
                minTtl: Duration.seconds(0),
                defaultTtl: Duration.seconds(0),
                maxTtl: Duration.seconds(60),
                queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(...read.query),
                headerBehavior: cloudfront.CacheHeaderBehavior.none(),
                cookieBehavior: cloudfront.CacheCookieBehavior.none(),
                enableAcceptEncodingGzip: true,
                enableAcceptEncodingBrotli: true,
              }),
              // No origin request policy: nothing of the viewer's beyond the key reaches the ALB (no Authorization, no cookies).
              responseHeadersPolicy: headers,
              compress: true,
            },
          ]),
        ),
        '/api/*': {
          origin: apiOrigin(),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    // The deploy workflow publishes the web build here and invalidates the distribution.
    new CfnOutput(this, 'WebBucketName', { value: this.webBucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
    acknowledge(
      this.distribution,
      'A national campaign must stay reachable for citizens abroad (consulates, travellers): no geo restriction.',
      'AwsSolutions-CFR1',
    );
  }
}

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvConfig } from '../config/types.js';
import { Waf } from '../constructs/waf.construct.js';
import type { DataStack } from './data.stack.js';
import { acknowledge } from '../acknowledge.js';

export interface EdgeStackProps extends StackProps {
  config: EnvConfig;
  loadBalancer: elbv2.IApplicationLoadBalancer;
  data: DataStack;
}

/** The one-time-code route: each request sends a message, so it gets its own, much lower, rate limit. */
export const OTP_PATH = '/api/registration/v1/otp-requests';

/**
 * What users reach first: CloudFront serves the web app from S3 (origin access
 * control, security headers) and forwards `/api/*` to the ALB, which WAF guards.
 * The web bucket lives here, beside its distribution: its bucket policy names the
 * distribution, and its content is rebuilt from the repository on every release.
 */
export class EdgeStack extends Stack {
  readonly webBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly waf: Waf;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config, data } = props;

    this.waf = new Waf(this, 'Waf', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      namePrefix: `jab-${config.name}`,
      requestsPerIp: config.production ? 3000 : 1000,
      otpRequestsPerIp: 20,
      otpPath: OTP_PATH,
      logRetentionDays: config.services.logRetentionDays,
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
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.webBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: spaRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(config.domain.apiOrigin, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
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
    acknowledge(
      this.distribution,
      'The dynamic surface (/api/*) is inspected by the web ACL on the ALB; the default behaviour only serves static files from S3. A CLOUDFRONT-scope ACL would need a us-east-1 stack per environment.',
      'AwsSolutions-CFR2',
    );
  }
}

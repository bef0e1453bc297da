import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { serviceList, type ServiceName } from '@jab/topology';
import type { Construct } from 'constructs';
import { names } from '../naming.js';

/**
 * ECR repositories, one per service image, shared by every environment of the
 * account: an image is built once per commit and promoted by tag, never rebuilt.
 * Immutable tags make `<sha>` mean one image forever, which is what lets
 * tools/deploy and CodeDeploy roll back to an exact previous revision.
 */
export class RegistryStack extends Stack {
  readonly repositories: Record<ServiceName, ecr.IRepository>;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const repositories: Partial<Record<ServiceName, ecr.IRepository>> = {};
    for (const service of serviceList()) {
      repositories[service.name] = new ecr.Repository(this, `Repo-${service.name}`, {
        repositoryName: names.repository(service.name),
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ description: 'drop untagged layers', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(14) }],
      });
    }
    this.repositories = repositories as Record<ServiceName, ecr.IRepository>;
  }
}

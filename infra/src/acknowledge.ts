import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Records why a cdk-nag (or CloudFormation validation) finding is accepted on `scope`; the reason is required. */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** Acknowledges findings on the singleton helpers CDK adds to a stack (log retention, SDK calls), found by id prefix. */
export function acknowledgeCdkHelpers(stack: IConstruct, prefixes: string[], reason: string, ...ids: string[]): void {
  for (const child of stack.node.children) {
    if (prefixes.some((prefix) => child.node.id.startsWith(prefix))) acknowledge(child, reason, ...ids);
  }
}

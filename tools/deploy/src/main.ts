/**
 * Jab's release tool: blue/green a service onto an image tag, or roll it back.
 *   node --conditions=@jab/source --import tsx tools/deploy/src/main.ts deploy --env prod --service registration --image-tag <sha>
 *   node --conditions=@jab/source --import tsx tools/deploy/src/main.ts rollback --env prod --service registration
 * AWS credentials and region come from the standard chain (OIDC role in CI, SSO locally).
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.js';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const clients = { ecs: new ECSClient({}), codedeploy: new CodeDeployClient({}), ecr: new ECRClient({}) };
  const code = await runCli(process.argv.slice(2), clients, {
    log: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`${line}\n`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    pollMs: 15_000,
  });
  process.exit(code);
}

import { SERVICE_NAMES, type ServiceName } from '@jab/topology';
import { parseArgs } from 'node:util';
import { deploy, DeployError, rollback, type Clients } from './deploy.js';
import { ENVIRONMENTS, type EnvName } from './names.js';

export interface CliIo {
  log: (line: string) => void;
  error: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
}

const USAGE = `usage:
  deploy   --env <${ENVIRONMENTS.join('|')}> --service <${SERVICE_NAMES.join('|')}> --image-tag <tag> [--timeout-minutes 60]
  rollback --env <env> --service <service> [--timeout-minutes 60]`;

/** ECR tag grammar: what CI pushes (a commit sha) and nothing that could smuggle a path or shell syntax. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Runs one command; resolves to the process exit code (0 only when the release or rollback succeeded). */
export async function runCli(argv: string[], clients: Clients, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        env: { type: 'string' },
        service: { type: 'string' },
        'image-tag': { type: 'string' },
        'timeout-minutes': { type: 'string', default: '60' },
      },
    });
  } catch (error) {
    io.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  const problems: string[] = [];
  if (command !== 'deploy' && command !== 'rollback') problems.push('command must be deploy or rollback');
  if (!ENVIRONMENTS.includes(values.env as EnvName)) problems.push(`--env must be one of ${ENVIRONMENTS.join(', ')}`);
  if (!SERVICE_NAMES.includes(values.service as ServiceName)) problems.push(`--service must be one of ${SERVICE_NAMES.join(', ')}`);
  if (command === 'deploy' && !IMAGE_TAG.test(values['image-tag'] ?? '')) problems.push('--image-tag must be an ECR tag (e.g. a commit sha)');
  const timeoutMinutes = Number(values['timeout-minutes']);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) problems.push('--timeout-minutes must be a positive number');
  if (problems.length > 0) {
    io.error(`${problems.join('\n')}\n${USAGE}`);
    return 2;
  }

  const target = { env: values.env as EnvName, service: values.service as ServiceName };
  const rt = { log: io.log, sleep: io.sleep, pollMs: io.pollMs, timeoutMs: timeoutMinutes * 60_000 };
  try {
    const outcome =
      command === 'deploy' ? await deploy(clients, target, values['image-tag'] as string, rt) : await rollback(clients, target, rt);
    (outcome.ok ? io.log : io.error)(`${outcome.ok ? 'OK' : 'FAILED'}: ${outcome.summary}`);
    return outcome.ok ? 0 : 1;
  } catch (error) {
    io.error(`FAILED: ${error instanceof DeployError ? error.message : (error as Error).stack ?? String(error)}`);
    return 1;
  }
}

import type { Logger } from '@jab/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Everything must be done by then; keep it below the orchestrator's kill timeout. */
  timeoutMs: number;
  /** Run in order: typically server, workers, queues, pools. */
  steps: ShutdownStep[];
  exit?: (code: number) => void;
}

/** Starts shutdown once and resolves with the exit code it exited with. */
export type TriggerShutdown = (reason?: string, error?: unknown) => Promise<number>;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Run `steps` on SIGTERM/SIGINT (exit 0, or 1 when a step fails or the deadline
 * passes) and on an uncaught exception or unhandled rejection (exit 1).
 */
export function onShutdown({ logger, timeoutMs, steps, exit = (code) => process.exit(code) }: ShutdownOptions): TriggerShutdown {
  let running: Promise<number> | undefined;

  const runSteps = async () => {
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
        logger.info({ step: step.name }, 'shutdown step done');
      } catch (error) {
        failed = true;
        logger.error({ step: step.name, err: error }, 'shutdown step failed');
      }
    }
    return failed ? 1 : 0;
  };

  const trigger: TriggerShutdown = (reason = 'requested', error) =>
    (running ??= (async () => {
      if (error === undefined) logger.info({ reason }, 'shutting down');
      else logger.fatal({ reason, err: error }, 'shutting down after a fatal error');
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = new Promise<number>((resolve) => {
        deadline = setTimeout(() => {
          logger.error({ timeoutMs }, 'shutdown deadline passed');
          resolve(1);
        }, timeoutMs);
      });
      const code = await Promise.race([runSteps(), timedOut]);
      clearTimeout(deadline);
      detach();
      const exitCode = error === undefined ? code : 1;
      exit(exitCode);
      return exitCode;
    })());

  const onSignal = (signal: NodeJS.Signals) => void trigger(signal);
  const onUncaught = (error: unknown) => void trigger('uncaughtException', error);
  const onUnhandled = (error: unknown) => void trigger('unhandledRejection', error);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);

  function detach() {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  }

  return trigger;
}

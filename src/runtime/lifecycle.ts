import type { Logger } from '../logger.js';
import { ConfigError } from '../config.js';
import { MigrationError } from '../db/migrate.js';
import { TemporalBinaryNotFoundError } from '../temporal/binaries.js';
import { PortInUseError } from './ports.js';

/** Something started that must be stopped on shutdown. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Errors whose message is the whole story for the person at the terminal: printed as is, no stack trace. */
const EXPLAINED = [ConfigError, PortInUseError, MigrationError, TemporalBinaryNotFoundError];

/**
 * Runs a process role: starts its parts in order, and on SIGINT/SIGTERM stops them in reverse order (API
 * first, so no new work arrives; embedded databases last), giving up after `timeoutMs` so a stuck part never
 * keeps the process alive. A failure while starting stops what had started and exits 1.
 */
export async function runProcess(options: {
  log: Logger;
  timeoutMs: number;
  start: (started: Stoppable[]) => Promise<void>;
}): Promise<void> {
  const { log } = options;
  const started: Stoppable[] = [];
  let stopping: Promise<void> | undefined;

  const stopAll = () => {
    stopping ??= (async () => {
      for (const part of [...started].reverse()) {
        try {
          await part.stop();
          log.debug({ part: part.name }, 'stopped');
        } catch (error) {
          log.error({ err: error, part: part.name }, 'failed to stop cleanly');
        }
      }
    })();
    return stopping;
  };

  const shutdown = (signal: string) => {
    if (stopping) return;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out; exiting anyway');
      process.exit(1);
    }, options.timeoutMs);
    deadline.unref();
    void stopAll().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // npm answers SIGTERM by killing its script shell and leaving the shell's child (us) running; noticing that
  // our parent is gone is how `npm start` under a process manager still shuts down cleanly.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown('parent process exited');
  }, 250).unref();

  try {
    await options.start(started);
  } catch (error) {
    if (EXPLAINED.some((type) => error instanceof type)) {
      process.stderr.write(`billing-center: ${(error as Error).message}\n`);
    } else {
      log.fatal({ err: error }, 'failed to start');
    }
    await stopAll();
    process.exit(1);
  }
}

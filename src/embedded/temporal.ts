import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger } from '../logger.js';
import { describeMissingServer, resolveServerExecutable, TemporalBinaryNotFoundError } from '../temporal/binaries.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';

/**
 * The embedded Temporal development server of `npm start`: the Temporal CLI's dev server with its Web UI,
 * persisted to a SQLite file in the data folder, so workflows and their timers survive a restart.
 */

export interface EmbeddedTemporal {
  address: string;
  uiUrl: string;
  /** Where the binary came from (see src/temporal/binaries.ts). */
  binarySource: string;
  stop(): Promise<void>;
}

export async function startEmbeddedTemporal(options: {
  dataDir: string;
  cacheDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Logger;
}): Promise<EmbeddedTemporal> {
  const resolved = await resolveServerExecutable('dev-server', { cacheDir: options.cacheDir });
  await mkdir(options.dataDir, { recursive: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: resolved.executable,
        dbFilename: path.join(options.dataDir, 'temporal.sqlite'),
        ip: '127.0.0.1',
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        namespace: options.namespace,
        log: { format: 'json', level: 'error' },
        // A file-backed SQLite without these is slow; WAL with synchronous=NORMAL still survives a process crash.
        extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL'],
      },
    });
  } catch (error) {
    if (resolved.executable.type === 'cached-download') {
      throw new TemporalBinaryNotFoundError(describeMissingServer('dev-server', resolved, error));
    }
    throw error;
  }
  const added = await ensureSearchAttributes(env.connection, options.namespace);
  if (added.length > 0) options.log.info({ searchAttributes: added }, 'registered search attributes');
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    binarySource: resolved.source,
    stop: () => env.teardown(),
  };
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../src/config.js';
import { Api } from './http.js';
import { startStack, type BenchStack } from './stack.js';
import { machineInfo, round } from './stats.js';

/** What every benchmark prints its progress and summary with. */
export const log = (line = '') => process.stdout.write(`${line}\n`);
export const seconds = (ms: number) => round(ms / 1000, 2);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one step and prints how long it took, aligned with the others. */
export async function timed<T>(what: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  log(`  ${what.padEnd(66)} ${seconds(ms).toFixed(2).padStart(8)} s`);
  return { value, ms };
}

/** The opening lines: which benchmark, how big, on what machine. Returns the machine, for the results file. */
export function announce(name: string, quick: boolean, shape: string) {
  const machine = machineInfo();
  log(`${name} benchmark${quick ? ' (--quick: a tenth of the size, no results file)' : ''}`);
  log(`  ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
  log(`  ${shape}`);
  log();
  return machine;
}

/** Writes bench/results/<name>.json (full runs only: a quick run checks the benchmark, not the service). */
export async function writeResults(name: string, result: object): Promise<void> {
  const file = path.join(projectRoot, 'bench', 'results', `${name}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  log();
  log(`written to ${path.relative(projectRoot, file)}`);
}

/**
 * Starts the whole service on a throwaway stack, runs a benchmark's body against it (an HTTP client and a small
 * pg pool of its own), and always stops the stack. A thrown error is printed and fails the run (exit code 1);
 * otherwise the body's own exit code counts.
 */
export async function onStack(body: (parts: { stack: BenchStack; api: Api; db: pg.Pool }) => Promise<number>): Promise<number> {
  const stack = await timed('start stack (embedded PostgreSQL, Temporal; API and worker processes)', () => startStack()).then((r) => r.value);
  try {
    const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
    stack.onStop({ name: 'bench pg pool', stop: () => db.end() });
    const api = new Api(stack.apiUrl);
    stack.onStop({ name: 'bench HTTP client', stop: async () => api.close() });
    return await body({ stack, api, db });
  } catch (error) {
    log(`\nFAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await timed('stop stack', () => stack.stop());
  }
}

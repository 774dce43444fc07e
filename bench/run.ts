import { stopActiveStacks } from './lib/stack.js';
import { runRechargeBenchmark } from './recharge.js';
import { runUsageBenchmark } from './usage.js';

/**
 * `npm run bench -- <name> [options]`: benchmarks, not tests. Each starts its own stack on a temporary data
 * folder and free ports, prints a summary and writes bench/results/<name>.json.
 */
const BENCHMARKS: Record<string, { about: string; run: (args: string[]) => Promise<number> }> = {
  usage: {
    about: 'usage ingest over HTTP vs raw INSERT, time until charged, exact balances; income-expenditure pages vs raw SELECT',
    run: runUsageBenchmark,
  },
  recharge: {
    about: 'voucher recharges over HTTP vs an empty workflow on the same server; 10,000 cards expiring in one minute, until cleared',
    run: runRechargeBenchmark,
  },
};

function usage(): string {
  return [
    'usage: npm run bench -- <benchmark> [--quick]',
    '',
    'benchmarks:',
    ...Object.entries(BENCHMARKS).map(([name, { about }]) => `  ${name.padEnd(10)} ${about}`),
    '',
    '  --quick    the same shape at a tenth of the size, to check the benchmark itself (writes no results)',
  ].join('\n');
}

const [name, ...args] = process.argv.slice(2);
const benchmark = name === undefined ? undefined : BENCHMARKS[name];
if (!benchmark) {
  process.stderr.write(`${name === undefined ? 'no benchmark named' : `unknown benchmark "${name}"`}\n\n${usage()}\n`);
  process.exit(2);
}
// Ctrl+C: stop the stack (PostgreSQL, Temporal, worker, API) and delete its data folder; a second one exits at once.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the benchmark's services (again to exit at once)\n`);
    void stopActiveStacks().finally(() => process.exit(130));
  });
}
try {
  process.exitCode = await benchmark.run(args);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
// The Temporal runtime and pools can hold the event loop open after everything has stopped.
process.exit(process.exitCode);

import { defineConfig } from 'vitest/config';

/**
 * Four groups, run in this order:
 * - unit: pure code, in parallel threads, no servers.
 * - integration: real PostgreSQL (a fresh database per file) and a Temporal dev server (workflows are started,
 *   never run), in parallel processes.
 * - workflows: real Temporal (a time-skipping test server per file) and PostgreSQL, one file at a time.
 * - e2e: the real `npm start` entry point on free ports, one file at a time, alone.
 * The Temporal SDK's native worker is run in `forks`, never worker threads (sdk-typescript #876).
 */
export default defineConfig({
  test: {
    globalSetup: ['test/setup/global.ts'],
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads', sequence: { groupOrder: 0 }, provide: { timeSkipping: false } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          provide: { timeSkipping: false },
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          provide: { timeSkipping: true },
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          provide: { timeSkipping: false },
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});

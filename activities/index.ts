import type { Logger } from '../src/logger.js';

/**
 * Every side effect a workflow may ask for is an activity built here from its dependencies, so the worker
 * and the tests wire the same code to a real (per-test) database and mail sink.
 */
export interface ActivityDependencies {
  log: Logger;
}

export function createActivities(_dependencies: ActivityDependencies) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;

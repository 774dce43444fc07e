import type { Logger } from '../src/logger.js';
import type { ServiceContext } from '../src/services/context.js';
import type { Workflows } from '../src/temporal/workflows.js';
import { usageActivities } from './usage.js';

/**
 * Every side effect a workflow may ask for is an activity built here from its dependencies, so the worker
 * and the tests wire the same code to a real (per-test) database and mail sink.
 */
export interface ActivityDependencies {
  log: Logger;
  services: ServiceContext;
  workflows: Workflows;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...usageActivities(dependencies.services, dependencies.workflows),
  };
}

export type Activities = ReturnType<typeof createActivities>;

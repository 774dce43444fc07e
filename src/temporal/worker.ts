import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../../activities/index.js';
import { projectRoot } from '../config.js';

export const WORKFLOWS_PATH = path.join(projectRoot, 'workflows', 'index.ts');

export interface WorkerHandle {
  worker: Worker;
  /** Resolves when the worker has stopped (after `shutdown`). */
  running: Promise<void>;
  /** Stops polling, lets in-flight tasks finish, then closes the connection. */
  shutdown(): Promise<void>;
}

/** Builds and starts the worker: every workflow in workflows/, every activity from activities/. */
export async function startWorker(options: {
  address: string;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  workflowsPath?: string;
  /** 0 turns off the workflow cache and with it sticky task queues (tests that swap workers use it). */
  maxCachedWorkflows?: number;
}): Promise<WorkerHandle> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
    activities: createActivities(options.dependencies),
    // In-flight activities get this long to finish before they are cancelled on shutdown.
    shutdownGraceTime: '10s',
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
  const running = worker.run().finally(() => connection.close());
  return {
    worker,
    running,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

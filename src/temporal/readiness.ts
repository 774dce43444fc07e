import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS module: its namespaces are reachable only through the default export under ESM.
const { temporal } = proto;

/** Temporal answers: the namespace exists and the frontend responds. */
export async function checkTemporal(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.describeNamespace({ namespace });
}

/** A worker is polling the task queue for workflow tasks (the server lists pollers seen in the last minutes). */
export async function checkWorkerPolling(connection: Connection, namespace: string, taskQueue: string): Promise<void> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if ((response.pollers ?? []).length === 0) throw new Error(`no worker is polling task queue "${taskQueue}"`);
}

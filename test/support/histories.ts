import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '../workflows/histories');

// Stored in protobuf's binary form: the SDK's JSON helpers trip over its own two copies of protobufjs.
const { History } = proto.temporal.api.history.v1;

/**
 * With RECORD_HISTORIES=1, saves the workflow's history for the replay test. Histories are recorded when a
 * workflow ships and then kept: replaying them against later code is what proves a change stays deterministic.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  await writeFile(path.join(HISTORIES_DIR, `${name}.history.pb`), History.encode(history).finish());
}

export function decodeHistory(bytes: Uint8Array) {
  return History.decode(bytes);
}

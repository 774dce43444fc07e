import { Client, Connection } from '@temporalio/client';

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/** The one Temporal client of a process (API and worker alike). */
export async function connectTemporalClient(address: string, namespace: string): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  return { client, connection, close: () => connection.close() };
}

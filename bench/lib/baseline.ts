import pg from 'pg';
import { batches } from './usage-data.js';

export const BASELINE_TABLE = 'bench_usage_baseline';

/** The columns the ingest service writes (src/services/usage/ingest.ts), in its order. */
export const INGEST_COLUMNS = [
  'id', 'workspace_id', 'site', 'item', 'unit', 'quantity', 'unit_price', 'amount_minor', 'currency',
  'period_start', 'period_end', 'received_at', 'account_id', 'status', 'content_hash',
] as const;

export type BaselineRow = (string | null)[];

function insertText(rowCount: number): string {
  const width = INGEST_COLUMNS.length;
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    tuples.push(`(${INGEST_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  }
  return `INSERT INTO ${BASELINE_TABLE} (${INGEST_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

/**
 * The raw baseline: the same rows, into a plain table with usage_records' columns and no index but the
 * primary key, as multi-row INSERTs of `batchSize` rows from `connections` concurrent connections through
 * `pg`. Connections are opened and the statements' text built before the clock starts.
 */
export async function insertBaseline(
  databaseUrl: string,
  rows: readonly BaselineRow[],
  options: { batchSize: number; connections: number },
): Promise<{ rows: number; wallMs: number }> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const clients: pg.Client[] = [];
  try {
    await admin.query(`DROP TABLE IF EXISTS ${BASELINE_TABLE}`);
    await admin.query(`CREATE TABLE ${BASELINE_TABLE} (LIKE usage_records INCLUDING DEFAULTS)`);
    await admin.query(`ALTER TABLE ${BASELINE_TABLE} ADD PRIMARY KEY (id)`);

    for (let i = 0; i < options.connections; i++) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      clients.push(client);
    }
    const work = batches(rows, options.batchSize).map((batch) => ({ text: batch.length, values: batch.flat() }));
    const texts = new Map<number, string>();
    for (const { text: size } of work) if (!texts.has(size)) texts.set(size, insertText(size));

    let next = 0;
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        while (next < work.length) {
          const item = work[next++]!;
          await client.query(texts.get(item.text)!, item.values);
        }
      }),
    );
    const wallMs = performance.now() - started;
    const { rows: counted } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${BASELINE_TABLE}`);
    if (Number(counted[0]!.n) !== rows.length) throw new Error(`baseline stored ${counted[0]!.n} rows, expected ${rows.length}`);
    return { rows: rows.length, wallMs };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    await admin.end().catch(() => {});
  }
}

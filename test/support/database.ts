import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/client.js';

/** Migrated once per run by the global setup; every test database is a copy of it. */
export const TEMPLATE_DATABASE = 'billing_center_template';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

export function postgresUrl(database: string): string {
  return inject('postgresUrlPattern').replace('__DB__', encodeURIComponent(database));
}

export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresUrl('postgres') });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of its own: tests clean up by construction. */
export async function createTestDatabase(options: { template?: string } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${options.template ?? TEMPLATE_DATABASE}"`);
  const url = postgresUrl(name);
  const database = connectDatabase(url, { maxConnections: 10 });
  return {
    ...database,
    url,
    name,
    async drop() {
      await database.close();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

import { createHash } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { schemaDiffSql } from '../../scripts/schema-diff.js';
import { projectRoot } from '../../src/config.js';
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { adminQuery, postgresUrl } from '../support/database.js';
import { schemaSnapshot } from '../support/schema-snapshot.js';

const log = createLogger({ env: 'test', logLevel: 'silent' });
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `migr_${Math.random().toString(16).slice(2, 10)}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  created.push(name);
  return postgresUrl(name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe('migrations', () => {
  it('produce exactly the schema that prisma/schema.prisma describes (no drift)', async () => {
    const viaMigrations = await emptyDatabase();
    await migrate(viaMigrations, log);

    const viaSchema = await emptyDatabase();
    const schema = await readFile(path.join(projectRoot, 'prisma', 'schema.prisma'), 'utf8');
    const sql = await schemaDiffSql({ from: null, to: schema, databaseUrl: viaSchema });
    expect(sql).toContain('CREATE TABLE');
    await query(viaSchema, sql);

    expect(await schemaSnapshot(viaMigrations)).toEqual(await schemaSnapshot(viaSchema));
  });

  it('are recorded in _prisma_migrations exactly as prisma migrate deploy records them', async () => {
    const url = await emptyDatabase();
    const applied = await migrate(url, log);
    const onDisk = await readMigrations();
    expect(applied).toEqual(onDisk.map((m) => m.name));

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toHaveLength(onDisk.length);
    for (const [i, migration] of onDisk.entries()) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, migration.name, 'migration.sql'));
      expect(rows[i]).toMatchObject({
        migration_name: migration.name,
        checksum: createHash('sha256').update(sql).digest('hex'),
        applied_steps_count: 1,
        rolled_back_at: null,
      });
      expect(rows[i]?.finished_at).toBeInstanceOf(Date);
    }
  });

  it('apply nothing the second time', async () => {
    const url = await emptyDatabase();
    await migrate(url, log);
    expect(await migrate(url, log)).toEqual([]);
  });

  describe('with a migrations folder of its own', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function addMigration(name: string, sql: string) {
      await mkdir(path.join(dir, name), { recursive: true });
      await writeFile(path.join(dir, name, 'migration.sql'), sql);
    }

    it('refuses to start when an applied migration was changed afterwards', async () => {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const url = await emptyDatabase();
      await migrate(url, log, dir);
      const [first] = await readMigrations(dir);
      await writeFile(path.join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited later\n`);

      await expect(migrate(url, log, dir)).rejects.toThrow(MigrationError);
      await expect(migrate(url, log, dir)).rejects.toThrow(/was changed after it was applied/);
    });

    it('rolls a failing migration back whole, records nothing, and says which one failed', async () => {
      await addMigration('20000101000000_good', 'CREATE TABLE good (id int PRIMARY KEY);');
      await addMigration('20000102000000_bad', 'CREATE TABLE half (id int);\nINSERT INTO missing_table VALUES (1);');
      await addMigration('20000103000000_after', 'CREATE TABLE after_bad (id int);');
      const url = await emptyDatabase();

      const failure = migrate(url, log, dir);
      await expect(failure).rejects.toThrow(MigrationError);
      await expect(migrate(url, log, dir)).rejects.toThrow(/20000102000000_bad failed and was rolled back: .*missing_table/);

      const tables = (await query<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name);
      expect(tables).toEqual(['_prisma_migrations', 'good']);
      const recorded = (await query<{ migration_name: string }>(url, 'SELECT migration_name FROM "_prisma_migrations"')).map((r) => r.migration_name);
      expect(recorded).toEqual(['20000101000000_good']);
    });

    it('refuses to go on after a migration that started and never finished', async () => {
      await addMigration('20000101000000_one', 'CREATE TABLE one (id int);');
      const url = await emptyDatabase();
      await query(url, `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
      await query(url, `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'abc', '20000101000000_one')`);
      await expect(migrate(url, log, dir)).rejects.toThrow(/started earlier and never finished/);
    });
  });
});

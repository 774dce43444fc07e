// `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that takes the schema as committed (git HEAD) to prisma/schema.prisma as it is now. Review the file, then
// commit both together; test/integration/migrations.test.ts fails if they disagree.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../src/config.js';
import { startEmbeddedPostgres } from '../src/embedded/postgres.js';
import { createLogger } from '../src/logger.js';
import { MIGRATIONS_DIR, readMigrations } from '../src/db/migrate.js';
import { schemaDiffSql } from './schema-diff.js';
import { freePort } from './free-port.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run db:new-migration -- <name in snake_case>\n');
  process.exit(2);
}
const to = await readFile(path.join(projectRoot, 'prisma', 'schema.prisma'), 'utf8');
const hasMigrations = (await readMigrations()).length > 0;
const from = hasMigrations
  ? execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: projectRoot, encoding: 'utf8' })
  : null;

const log = createLogger({ env: 'development', logLevel: 'warn' });
const postgres = await startEmbeddedPostgres({ dataDir: path.join(projectRoot, '.cache', 'scratch'), port: await freePort(), log });
try {
  const sql = await schemaDiffSql({ from, to, databaseUrl: postgres.url('postgres') });
  if (sql.trim() === '' || sql.includes('This is an empty migration')) {
    process.stdout.write('schema.prisma has no changes since HEAD: nothing to write.\n');
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'migration.sql'), sql);
    process.stdout.write(`wrote ${path.relative(projectRoot, dir)}/migration.sql\n`);
  }
} finally {
  await postgres.stop();
}

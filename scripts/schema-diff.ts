import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../src/config.js';

/**
 * SQL that turns one Prisma datamodel into another, computed by Prisma 6's WASM schema engine (the `prisma6`
 * dev dependency): Prisma 7's CLI needs a native engine that cannot be downloaded everywhere. That engine
 * insists on a live PostgreSQL connection through an adapter, though it only diffs the two datamodels.
 */
export async function schemaDiffSql(options: { from: string | null; to: string; databaseUrl: string }): Promise<string> {
  const workDir = path.join(projectRoot, '.cache', `schema-diff-${process.pid}-${Date.now()}`);
  await mkdir(workDir, { recursive: true });
  try {
    // Prisma 6 wants the URL inside the datasource block, where Prisma 7 forbids it.
    const withUrl = (schema: string) =>
      schema.replace(/datasource db \{([^}]*)\}/, (_m, body: string) => `datasource db {${body}  url = env("DATABASE_URL")\n}`);
    await writeFile(path.join(workDir, 'to.prisma'), withUrl(options.to));
    if (options.from !== null) await writeFile(path.join(workDir, 'from.prisma'), withUrl(options.from));
    await writeFile(
      path.join(workDir, 'prisma.config.ts'),
      [
        "import { defineConfig } from 'prisma6/config';",
        "import { PrismaPg } from '@prisma/adapter-pg';",
        'export default defineConfig({',
        "  engine: 'js',",
        '  experimental: { adapter: true },',
        "  schema: './to.prisma',",
        `  adapter: async () => new PrismaPg({ connectionString: ${JSON.stringify(options.databaseUrl)} }),`,
        '});',
      ].join('\n'),
    );
    const from = options.from === null ? ['--from-empty'] : ['--from-schema-datamodel', 'from.prisma'];
    const cli = path.join(projectRoot, 'node_modules', 'prisma6', 'build', 'index.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'migrate', 'diff', '--config', 'prisma.config.ts', ...from, '--to-schema-datamodel', 'to.prisma', '--script'],
      {
        cwd: workDir,
        env: {
          ...process.env,
          DATABASE_URL: options.databaseUrl,
          // Never used for a diff; set so the CLI does not try to download them.
          PRISMA_QUERY_ENGINE_LIBRARY: cli,
          PRISMA_SCHEMA_ENGINE_BINARY: cli,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

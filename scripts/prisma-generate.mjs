// Runs `prisma generate` on install. Prisma 7's CLI fetches its native schema engine first, from a host that
// offline and firewalled machines cannot reach; generation itself never uses that engine, so any existing
// file will do as its path. A path that is already set (a machine that has the engine) is left alone.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);

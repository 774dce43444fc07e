import { projectRoot } from '../../src/config.js';
import { spawnProcess, type Spawned } from './processes.js';

/**
 * The production worker and activities, as `npm run worker` wires them, in a child process of its own, so that a
 * test can kill it outright (SIGKILL: no shutdown, no goodbye). Email goes to SMTP_URL (sent as MAIL_FROM) when
 * given, else into .eml files in MAIL_DIR. Two differences from production, neither about what tests kill it for:
 * no schedules (the test server has none), and no workflow cache, because the time-skipping test server never
 * moves a workflow task off a dead worker's sticky queue (a real server does after 10 s). CommonJS with dynamic
 * imports, because `--input-type=module` would be passed on to the worker's own threads.
 */
const WORKER_SCRIPT = `(async () => {
  const { Client, Connection } = await import('@temporalio/client');
  const { NativeConnection, Worker } = await import('@temporalio/worker');
  const { createActivities } = await import('./activities/index.ts');
  const { connectDatabase } = await import('./src/db/client.ts');
  const { createLogger } = await import('./src/logger.ts');
  const { createFileMailer, createSmtpMailer } = await import('./src/services/notifications/mailer.ts');
  const { Workflows } = await import('./src/temporal/workflows.ts');
  const { PrincipalCache } = await import('./src/services/identity/principal-cache.ts');
  const { WORKFLOWS_PATH } = await import('./src/temporal/worker.ts');
  const env = process.env;
  const database = connectDatabase(env.DATABASE_URL);
  const client = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }) });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS }),
    taskQueue: env.TASK_QUEUE,
    workflowsPath: WORKFLOWS_PATH,
    maxCachedWorkflows: 0,
    activities: createActivities({
      log: createLogger({ env: 'test', logLevel: 'silent' }),
      services: { prisma: database.prisma, now: () => new Date(), tokenTtlMs: 3_600_000, principals: new PrincipalCache() },
      workflows: new Workflows(client, env.TASK_QUEUE),
      mailer: env.SMTP_URL ? createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM }) : createFileMailer({ dir: env.MAIL_DIR }),
    }),
  });
  console.log('worker polling');
  await worker.run();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

export function spawnWorkerProcess(options: {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  mail: { smtpUrl: string; from: string } | { dir: string };
}): Spawned {
  const mail = 'smtpUrl' in options.mail ? { SMTP_URL: options.mail.smtpUrl, MAIL_FROM: options.mail.from } : { MAIL_DIR: options.mail.dir };
  return spawnProcess(process.execPath, ['--import', 'tsx', '--eval', WORKER_SCRIPT], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: options.databaseUrl, TEMPORAL_ADDRESS: options.temporalAddress, TASK_QUEUE: options.taskQueue, ...mail },
  });
}

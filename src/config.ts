import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TICKET_CLOCKS, type TicketClockSettings } from './domain/tickets/clocks.js';
import { TICKET_PRIORITIES, type TicketPriority } from './domain/tickets/ticket.js';
import type { CloudProvider } from './domain/identity/cloud-account-id.js';

/**
 * Every setting the service reads, in one place. Each entry names its environment variable, so the README
 * table, docker-compose.yml and the tests that check them can all be derived from this list.
 */

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: LogLevel;
  /** Runtime data of the embedded services: PostgreSQL cluster, Temporal SQLite file, outgoing mail. */
  dataDir: string;
  /** Downloaded tools (Temporal binaries); kept apart from data so wiping data does not re-download. */
  cacheDir: string;
  http: { host: string; port: number; bodyLimitBytes: number };
  /** Unset means: start the embedded PostgreSQL and use it. */
  databaseUrl: string | undefined;
  embeddedPostgres: { port: number };
  temporal: {
    /** Unset means: start the embedded Temporal development server and use it. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    devServer: { port: number; uiPort: number };
    /** Port of the Temporal SDK runtime's own Prometheus exporter (worker metrics); 0 turns it off. */
    metricsPort: number;
  };
  shutdownTimeoutMs: number;
  mail: {
    /** Unset means: write each message as an .eml file into `$DATA_DIR/mail/` instead of sending it. */
    smtpUrl: string | undefined;
    /** The From of every message (`Name <address>`). */
    from: string;
  };
  recharge: { cashMin: string; cashMax: string };
  payments: {
    /** Unset means: `npm start` runs the sandbox payment gateway in-process and uses it. */
    gatewayUrl: string | undefined;
    sandboxPort: number;
    /** The sandbox's merchant key: signs its notifications (checked by our webhook) and authenticates our calls. */
    webhookSecret: string;
    /** PAYMENT_WEBHOOK_SECRET is unset and the published dev-only constant is in use (warned about in production). */
    webhookSecretIsDevDefault: boolean;
    /** Where gateways reach this API: the base of the notify URLs given with each order. */
    publicApiUrl: string;
  };
  tickets: {
    clocks: TicketClockSettings;
    /** Support leads who hear of a breached first-response SLA; empty means every admin. */
    escalationEmails: string[];
  };
  marketplaces: {
    /** Base URL of each provider's marketplace API; unset ones are served by the sandbox `npm start` runs. */
    urls: Record<CloudProvider, string | undefined>;
    sandboxPort: number;
  };
  auth: {
    tokenTtlMs: number;
    /** The first admin, created once at start when no user has that email; never overwritten. */
    bootstrapAdmin: { email: string; password: string } | undefined;
  };
}

type Env = Record<string, string | undefined>;

/** The documented variables: name → what it does. The README's configuration table mirrors this. */
export const ENVIRONMENT_VARIABLES = {
  NODE_ENV: 'development (default; readable logs) or production (JSON logs)',
  LOG_LEVEL: 'pino level: fatal, error, warn, info (default), debug, trace, silent',
  HOST: 'address the API listens on (default 127.0.0.1 in development, 0.0.0.0 in production)',
  PORT: 'API port (default 3000)',
  BODY_LIMIT_BYTES: 'largest accepted request body (default 1048576); larger ones get 413',
  DATA_DIR: 'folder for embedded PostgreSQL, Temporal SQLite file and outgoing mail (default ./.data)',
  CACHE_DIR: 'folder for downloaded Temporal binaries (default ./.cache)',
  DATABASE_URL: 'PostgreSQL URL; when set, the embedded PostgreSQL does not start',
  EMBEDDED_PG_PORT: 'port of the embedded PostgreSQL (default 54329)',
  TEMPORAL_ADDRESS: 'host:port of a Temporal frontend; when set, the embedded dev server does not start',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  TEMPORAL_TASK_QUEUE: 'task queue of the worker (default "billing-center")',
  TEMPORAL_DEV_PORT: 'gRPC port of the embedded Temporal dev server (default 7233)',
  TEMPORAL_UI_PORT: 'Web UI port of the embedded Temporal dev server (default 8233)',
  TEMPORAL_METRICS_PORT: 'port of the worker runtime\'s Prometheus exporter on 127.0.0.1 (default 9464; 0 turns it off)',
  TEMPORAL_CLI_PATH: 'path to an existing `temporal` CLI binary for the embedded dev server',
  TEMPORAL_TEST_SERVER_PATH: 'path to an existing `temporal-test-server` binary (time-skipping tests)',
  TOKEN_TTL_HOURS: 'how long a sign-in token lives (default 12)',
  ADMIN_EMAIL: 'email of the first admin, created at start if no user has it (with ADMIN_PASSWORD; never overwritten)',
  ADMIN_PASSWORD: 'password of that first admin (at least 10 characters, not a common one)',
  RECHARGE_CASH_MIN: 'smallest cash recharge, in the account currency (default 1.00)',
  RECHARGE_CASH_MAX: 'largest cash recharge, in the account currency (default 1000000.00)',
  PAYMENT_GATEWAY_URL: 'base URL of the (sandbox-protocol) payment gateway; unset: `npm start` runs the sandbox gateway itself',
  SANDBOX_GATEWAY_PORT: 'port of the sandbox payment gateway that `npm start` runs when PAYMENT_GATEWAY_URL is unset (default 3100)',
  PAYMENT_WEBHOOK_SECRET: 'key that signs payment notifications and authenticates calls to the sandbox gateway (default: a dev-only constant, warned about in production)',
  PUBLIC_API_URL: 'URL at which the payment gateway reaches this API, for its notifications (default http://127.0.0.1:PORT)',
  MARKETPLACE_AWS_URL: 'base URL of the AWS Marketplace metering API (sandbox protocol); unset: `npm start` serves it from the sandbox marketplace at /aws',
  MARKETPLACE_ALIYUN_URL: 'base URL of the Alibaba Cloud Market metering API (sandbox protocol); unset: `npm start` serves it from the sandbox marketplace at /aliyun',
  MARKETPLACE_HUAWEI_URL: 'base URL of the Huawei Cloud KooGallery metering API (sandbox protocol); unset: `npm start` serves it from the sandbox marketplace at /huawei',
  SANDBOX_MARKETPLACE_PORT: 'port of the sandbox marketplace that `npm start` runs when a MARKETPLACE_*_URL is unset (default 3200)',
  SHUTDOWN_TIMEOUT_MS: 'how long a graceful shutdown may take before the process exits anyway (default 15000)',
  SMTP_URL: 'SMTP server for outgoing email, e.g. smtp://user:pass@host:587 or smtps://host:465; unset: .eml files in DATA_DIR/mail',
  MAIL_FROM: 'From of outgoing email (default "Billing Center <billing@localhost>")',
  TICKET_FIRST_RESPONSE_HOURS: 'first-response SLA of tickets per priority, in hours (default "urgent=1,high=4,normal=8,low=24"; name only the ones to change)',
  TICKET_REMINDER_DAYS: 'reminders to a customer a ticket is waiting for, days into the wait (default "2,4")',
  TICKET_AUTO_RESOLVE_DAYS: 'days a ticket waits for its customer before it is resolved for them (default 7)',
  TICKET_AUTO_CLOSE_DAYS: 'days a resolved ticket stays reopenable before it is closed for good (default 4)',
  TICKET_ESCALATION_EMAILS: 'comma-separated addresses of the support leads told of a breached first-response SLA (default: every admin)',
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function port(env: Env, name: EnvironmentVariable, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
}

function positiveInt(env: Env, name: EnvironmentVariable, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

function decimal(env: Env, name: EnvironmentVariable, fallback: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!/^(0|[1-9][0-9]{0,14})\.[0-9]{2}$/.test(raw)) throw new ConfigError(`${name} must be an amount like 100.00, got "${raw}"`);
  return raw;
}

function optional(env: Env, name: EnvironmentVariable): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function bootstrapAdmin(env: Env): Config['auth']['bootstrapAdmin'] {
  const email = optional(env, 'ADMIN_EMAIL');
  const password = env.ADMIN_PASSWORD;
  if (email === undefined && !password) return undefined;
  if (email === undefined || !password) throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both or neither');
  return { email, password };
}

function smtpUrl(env: Env): string | undefined {
  const raw = optional(env, 'SMTP_URL');
  if (raw === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError('SMTP_URL must be a URL such as smtp://user:pass@host:587');
  }
  // The URL carries a password: never echo it back in the message.
  if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://, got ${protocol}//`);
  return raw;
}

function mailFrom(env: Env): string {
  const raw = optional(env, 'MAIL_FROM') ?? 'Billing Center <billing@localhost>';
  if (!/^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(raw)) {
    throw new ConfigError(`MAIL_FROM must be an address or "Name <address>", got "${raw}"`);
  }
  return raw;
}

/** Published in the source, so only for development: a production start with it logs a warning. */
export const DEV_PAYMENT_WEBHOOK_SECRET = 'billing-center-sandbox-webhook-secret-dev-only';

function httpUrl(env: Env, name: EnvironmentVariable): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new ConfigError(`${name} must be an http:// or https:// URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function payments(env: Env, host: string, apiPort: number): Config['payments'] {
  const secret = optional(env, 'PAYMENT_WEBHOOK_SECRET');
  // A short key makes the HMAC guessable; refuse it rather than sign with it.
  if (secret !== undefined && secret.length < 16) throw new ConfigError('PAYMENT_WEBHOOK_SECRET must be at least 16 characters');
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    gatewayUrl: httpUrl(env, 'PAYMENT_GATEWAY_URL'),
    sandboxPort: port(env, 'SANDBOX_GATEWAY_PORT', 3100),
    webhookSecret: secret ?? DEV_PAYMENT_WEBHOOK_SECRET,
    webhookSecretIsDevDefault: secret === undefined,
    publicApiUrl: httpUrl(env, 'PUBLIC_API_URL') ?? `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${apiPort}`,
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function positiveNumber(name: EnvironmentVariable, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must hold positive numbers, got "${raw}"`);
  return value;
}

function ticketClocks(env: Env): TicketClockSettings {
  const firstResponseMs = { ...DEFAULT_TICKET_CLOCKS.firstResponseMs };
  for (const part of (optional(env, 'TICKET_FIRST_RESPONSE_HOURS') ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [priority, hours, ...rest] = part.split('=').map((p) => p.trim());
    if (!TICKET_PRIORITIES.includes(priority as TicketPriority) || hours === undefined || rest.length > 0) {
      throw new ConfigError(`TICKET_FIRST_RESPONSE_HOURS must look like "urgent=1,high=4,normal=8,low=24", got "${part}"`);
    }
    firstResponseMs[priority as TicketPriority] = Math.round(positiveNumber('TICKET_FIRST_RESPONSE_HOURS', hours) * HOUR_MS);
  }
  const days = (name: EnvironmentVariable, fallback: number) => {
    const raw = optional(env, name);
    return raw === undefined ? fallback : Math.round(positiveNumber(name, raw) * DAY_MS);
  };
  const reminders = optional(env, 'TICKET_REMINDER_DAYS');
  const reminderAfterMs =
    reminders === undefined
      ? DEFAULT_TICKET_CLOCKS.reminderAfterMs
      : reminders.split(',').map((part) => Math.round(positiveNumber('TICKET_REMINDER_DAYS', part) * DAY_MS));
  const autoResolveAfterMs = days('TICKET_AUTO_RESOLVE_DAYS', DEFAULT_TICKET_CLOCKS.autoResolveAfterMs);
  if (reminderAfterMs.some((after, i) => after >= autoResolveAfterMs || (i > 0 && after <= reminderAfterMs[i - 1]!))) {
    throw new ConfigError('TICKET_REMINDER_DAYS must be ascending and each before TICKET_AUTO_RESOLVE_DAYS');
  }
  return { firstResponseMs, reminderAfterMs, autoResolveAfterMs, autoCloseAfterMs: days('TICKET_AUTO_CLOSE_DAYS', DEFAULT_TICKET_CLOCKS.autoCloseAfterMs) };
}

function emailList(env: Env, name: EnvironmentVariable): string[] {
  const addresses = (optional(env, name) ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  const bad = addresses.find((a) => !/^[^<>@\s,]+@[^<>@\s,]+$/.test(a));
  if (bad !== undefined) throw new ConfigError(`${name} must be comma-separated email addresses, got "${bad}"`);
  return addresses;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' || env.NODE_ENV === 'test' ? env.NODE_ENV : 'development';
  const logLevel = (optional(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const dataDir = path.resolve(projectRoot, optional(env, 'DATA_DIR') ?? '.data');
  const cacheDir = path.resolve(projectRoot, optional(env, 'CACHE_DIR') ?? '.cache');
  const devPort = port(env, 'TEMPORAL_DEV_PORT', 7233);
  const host = optional(env, 'HOST') ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1');
  const apiPort = port(env, 'PORT', 3000);
  return {
    env: nodeEnv,
    logLevel,
    dataDir,
    cacheDir,
    http: {
      host,
      port: apiPort,
      bodyLimitBytes: positiveInt(env, 'BODY_LIMIT_BYTES', 1024 * 1024),
    },
    databaseUrl: optional(env, 'DATABASE_URL'),
    embeddedPostgres: { port: port(env, 'EMBEDDED_PG_PORT', 54329) },
    temporal: {
      address: optional(env, 'TEMPORAL_ADDRESS'),
      namespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE') ?? 'billing-center',
      devServer: { port: devPort, uiPort: port(env, 'TEMPORAL_UI_PORT', 8233) },
      metricsPort: port(env, 'TEMPORAL_METRICS_PORT', 9464),
    },
    shutdownTimeoutMs: positiveInt(env, 'SHUTDOWN_TIMEOUT_MS', 15_000),
    mail: { smtpUrl: smtpUrl(env), from: mailFrom(env) },
    recharge: { cashMin: decimal(env, 'RECHARGE_CASH_MIN', '1.00'), cashMax: decimal(env, 'RECHARGE_CASH_MAX', '1000000.00') },
    payments: payments(env, host, apiPort),
    tickets: { clocks: ticketClocks(env), escalationEmails: emailList(env, 'TICKET_ESCALATION_EMAILS') },
    marketplaces: {
      urls: { aws: httpUrl(env, 'MARKETPLACE_AWS_URL'), aliyun: httpUrl(env, 'MARKETPLACE_ALIYUN_URL'), huawei: httpUrl(env, 'MARKETPLACE_HUAWEI_URL') },
      sandboxPort: port(env, 'SANDBOX_MARKETPLACE_PORT', 3200),
    },
    auth: {
      tokenTtlMs: positiveInt(env, 'TOKEN_TTL_HOURS', 12) * 3_600_000,
      bootstrapAdmin: bootstrapAdmin(env),
    },
  };
}

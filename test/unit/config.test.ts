import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig, projectRoot } from '../../src/config.js';

describe('configuration', () => {
  it('runs everything embedded on documented defaults when no variable is set', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.temporal).toMatchObject({ namespace: 'default', taskQueue: 'billing-center', devServer: { port: 7233, uiPort: 8233 } });
    expect(config.dataDir).toBe(path.join(projectRoot, '.data'));
    expect(config.shutdownTimeoutMs).toBe(15_000);
  });

  it('lets each variable override its part', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgresql://db/billing',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'billing',
      TEMPORAL_TASK_QUEUE: 'q',
      LOG_LEVEL: 'debug',
      DATA_DIR: '/var/lib/billing',
    });
    expect(config).toMatchObject({
      env: 'production',
      logLevel: 'debug',
      dataDir: '/var/lib/billing',
      databaseUrl: 'postgresql://db/billing',
      http: { host: '0.0.0.0', port: 8080 },
      temporal: { address: 'temporal:7233', namespace: 'billing', taskQueue: 'q' },
    });
  });

  it('refuses malformed values with a message that names the variable', () => {
    expect(() => loadConfig({ PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a port number/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });

  it('treats empty variables as unset, so `DATABASE_URL=` does not point at nothing', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: ' ' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ TEMPORAL_ADDRESS: ' ' }).temporal.address).toBeUndefined();
  });

  it('documents every variable it reads in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
    const missing = Object.keys(ENVIRONMENT_VARIABLES).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

describe('ticket clocks', () => {
  it('default to the usual support SLAs and waits, and take changes per priority in hours and waits in days', () => {
    const HOUR = 3_600_000;
    expect(loadConfig({}).tickets).toEqual({
      clocks: {
        firstResponseMs: { urgent: HOUR, high: 4 * HOUR, normal: 8 * HOUR, low: 24 * HOUR },
        reminderAfterMs: [48 * HOUR, 96 * HOUR],
        autoResolveAfterMs: 168 * HOUR,
        autoCloseAfterMs: 96 * HOUR,
      },
      escalationEmails: [],
    });
    const config = loadConfig({
      TICKET_FIRST_RESPONSE_HOURS: 'urgent=0.5, low=48',
      TICKET_REMINDER_DAYS: '1',
      TICKET_AUTO_RESOLVE_DAYS: '3',
      TICKET_AUTO_CLOSE_DAYS: '2',
      TICKET_ESCALATION_EMAILS: 'lead@example.com, second@example.com',
    });
    expect(config.tickets.clocks).toEqual({
      firstResponseMs: { urgent: HOUR / 2, high: 4 * HOUR, normal: 8 * HOUR, low: 48 * HOUR },
      reminderAfterMs: [24 * HOUR],
      autoResolveAfterMs: 72 * HOUR,
      autoCloseAfterMs: 48 * HOUR,
    });
    expect(config.tickets.escalationEmails).toEqual(['lead@example.com', 'second@example.com']);
  });

  it('refuses clocks that make no sense, naming the variable', () => {
    expect(() => loadConfig({ TICKET_FIRST_RESPONSE_HOURS: 'critical=1' })).toThrow(/TICKET_FIRST_RESPONSE_HOURS/);
    expect(() => loadConfig({ TICKET_FIRST_RESPONSE_HOURS: 'urgent=0' })).toThrow(/TICKET_FIRST_RESPONSE_HOURS/);
    expect(() => loadConfig({ TICKET_REMINDER_DAYS: '4,2' })).toThrow(/TICKET_REMINDER_DAYS/);
    expect(() => loadConfig({ TICKET_REMINDER_DAYS: '2,8' })).toThrow(/before TICKET_AUTO_RESOLVE_DAYS/);
    expect(() => loadConfig({ TICKET_AUTO_CLOSE_DAYS: 'soon' })).toThrow(/TICKET_AUTO_CLOSE_DAYS/);
    expect(() => loadConfig({ TICKET_ESCALATION_EMAILS: 'lead' })).toThrow(/TICKET_ESCALATION_EMAILS/);
  });
});

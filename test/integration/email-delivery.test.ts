import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import { DomainError } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/services/context.js';
import { deliverEmail, deliverPendingEmails } from '../../src/services/notifications/deliver.js';
import { createMailer, createSmtpMailer, messageIdFor, type Mailer } from '../../src/services/notifications/mailer.js';
import { queueEmail, type Email } from '../../src/services/notifications/outbox.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../support/database.js';
import { PrincipalCache } from '../../src/services/identity/principal-cache.js';

interface Received {
  envelopeTo: string[];
  headers: Map<string, string>;
  body: string;
  raw: string;
}

/** RFC 5322 headers (unfolded, names lower-cased) and body; enough for the plain-text mail we send. */
function parseMessage(raw: string): Omit<Received, 'envelopeTo'> {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4), raw };
}

/** A real SMTP server on a free port of 127.0.0.1 that keeps what it accepted. */
async function startSmtpSink(options: { user?: string; pass?: string } = {}) {
  const received: Received[] = [];
  const sink = {
    received,
    url: '',
    /** When set, DATA is refused with this temporary failure (a 4xx, as a busy server would). */
    refuse: undefined as string | undefined,
    /** Runs after the message arrived and before the server answers "250 accepted". */
    beforeAccept: undefined as (() => Promise<void>) | undefined,
    messageIds: () => received.map((message) => message.headers.get('message-id')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.user,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if (sink.refuse) return callback(Object.assign(new Error(sink.refuse), { responseCode: 451 }));
        await sink.beforeAccept?.();
        received.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), ...parseMessage(Buffer.concat(chunks).toString('utf8')) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const credentials = options.user ? `${options.user}:${options.pass}@` : '';
  sink.url = `smtp://${credentials}127.0.0.1:${port}`;
  return sink;
}

let db: TestDatabase;
let services: ServiceContext;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let mailer: Mailer;
let offset = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  services = { prisma: db.prisma, now: () => new Date(Date.now() + offset), tokenTtlMs: 3_600_000, principals: new PrincipalCache() };
  sink = await startSmtpSink();
  mailer = createSmtpMailer({ url: sink.url, from: 'Billing Center <billing@example.com>' });
});
afterEach(async () => {
  sink.received.length = 0;
  sink.refuse = undefined;
  sink.beforeAccept = undefined;
  offset = 0;
  // Each test sees only its own messages.
  await db.prisma.outboxMessage.deleteMany({});
});
afterAll(async () => {
  await mailer?.close();
  await sink?.close();
  await db?.drop();
});

let n = 0;
async function queue(overrides: Partial<Email> = {}): Promise<Email> {
  n++;
  const email: Email = {
    businessKey: `card-expiry-warning/8800${n}/2026-12-31`,
    kind: 'card-expiry-warning',
    to: `customer-${n}@example.com`,
    subject: `Your prepaid card 8800${n} expires in 3 days`,
    body: `Hello,\n\nYour prepaid card 8800${n} expires on 2026-12-31 with 12.34 CNY left.\n`,
    ...overrides,
  };
  // As every cause does: in the transaction of the change that makes the email necessary.
  await inTransaction(db.prisma, (tx) => queueEmail(tx, email));
  return email;
}
const row = (businessKey: string) => db.prisma.outboxMessage.findUniqueOrThrow({ where: { businessKey } });

describe('email delivery through SMTP', () => {
  it('sends a queued email once, with its To, Subject, body and a Message-ID derived from its business key', async () => {
    const email = await queue();
    expect(await deliverEmail(services, mailer, email.businessKey)).toBe('sent');

    expect(sink.received).toHaveLength(1);
    const [message] = sink.received;
    expect(message!.envelopeTo).toEqual([email.to]);
    expect(message!.headers.get('to')).toBe(email.to);
    expect(message!.headers.get('from')).toBe('Billing Center <billing@example.com>');
    expect(message!.headers.get('subject')).toBe(email.subject);
    expect(message!.headers.get('message-id')).toBe(messageIdFor(email.businessKey, 'billing@example.com'));
    expect(message!.headers.get('message-id')).toMatch(/^<[0-9a-f]{40}@example\.com>$/);
    expect(message!.headers.get('x-billing-center-key')).toBe(email.businessKey);
    expect(message!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(message!.body.replace(/\r\n/g, '\n')).toBe(email.body);
    expect(await row(email.businessKey)).toMatchObject({ attempts: 1, lastError: null, sentAt: expect.any(Date) });

    // Delivered again (a retry, a second caller): nothing more is sent.
    expect(await deliverEmail(services, mailer, email.businessKey)).toBe('already_sent');
    expect(await deliverPendingEmails(services, mailer, { limit: 10 })).toEqual({ sent: 0, failed: 0, failures: [] });
    expect(sink.received).toHaveLength(1);
  });

  it('queues a business key once, however often its cause runs', async () => {
    const email = await queue();
    await inTransaction(db.prisma, (tx) => queueEmail(tx, { ...email, subject: 'a second time' }));
    await deliverPendingEmails(services, mailer, { limit: 10 });
    expect(sink.received.map((m) => m.headers.get('subject'))).toEqual([email.subject]);
  });

  it('sends nothing again when the worker died after "sent and marked" and Temporal retries the activity', async () => {
    const email = await queue();
    // Attempt 1 sends and marks; the worker is then killed before it reports completion, so Temporal never
    // hears of it and runs attempt 2 (same activity, same business key) on another worker.
    await deliverEmail(services, mailer, email.businessKey);
    const attempt2 = await deliverEmail(services, mailer, email.businessKey);
    expect(attempt2).toBe('already_sent');
    expect(sink.messageIds()).toEqual([messageIdFor(email.businessKey, 'billing@example.com')]);
  });

  it('the remaining window: a database connection lost after SMTP accepted, before the mark, means a second copy with the same Message-ID', async () => {
    const email = await queue();
    // The SMTP server has the message; before it answers 250, the connection holding the outbox row (idle in
    // its transaction while it waits for SMTP) is killed, so `sent_at` can never be committed.
    sink.beforeAccept = async () => {
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`, [db.name]);
    };
    await expect(deliverEmail(services, mailer, email.businessKey)).rejects.toThrow();
    expect((await row(email.businessKey)).sentAt).toBeNull();
    expect(sink.received).toHaveLength(1);

    // The retry cannot know the first copy arrived: it sends again. Both copies carry the same Message-ID.
    sink.beforeAccept = undefined;
    expect(await deliverEmail(services, mailer, email.businessKey)).toBe('sent');
    expect(sink.received).toHaveLength(2);
    expect(new Set(sink.messageIds())).toEqual(new Set([messageIdFor(email.businessKey, 'billing@example.com')]));
  });

  it('sends each message once when several deliverers run at the same time', async () => {
    const emails = [];
    for (let i = 0; i < 30; i++) emails.push(await queue());
    const one = emails[0]!;
    const [sweeps, direct] = await Promise.all([
      Promise.all(Array.from({ length: 3 }, () => deliverPendingEmails(services, mailer, { limit: 100 }))),
      Promise.all(Array.from({ length: 5 }, () => deliverEmail(services, mailer, one.businessKey))),
    ]);
    const sentBySweeps = sweeps.reduce((sum, counts) => sum + counts.sent, 0);
    const sentDirectly = direct.filter((outcome) => outcome === 'sent').length;
    expect(sentBySweeps + sentDirectly).toBe(30);
    expect(sentDirectly).toBeLessThanOrEqual(1);
    expect(sweeps.every((counts) => counts.failed === 0)).toBe(true);

    const ids = sink.messageIds();
    expect(ids).toHaveLength(30);
    expect(new Set(ids)).toEqual(new Set(emails.map((email) => messageIdFor(email.businessKey, 'billing@example.com'))));
    expect(await db.prisma.outboxMessage.count({ where: { sentAt: null } })).toBe(0);
  });

  it('sends the oldest first and no more than the limit', async () => {
    const emails = [await queue(), await queue(), await queue()];
    expect(await deliverPendingEmails(services, mailer, { limit: 2 })).toMatchObject({ sent: 2 });
    expect(sink.received.map((m) => m.headers.get('to'))).toEqual([emails[0]!.to, emails[1]!.to]);
    expect(await deliverPendingEmails(services, mailer, { limit: 2 })).toMatchObject({ sent: 1 });
  });

  it('records a refused send (attempts, last error), leaves the message unsent, and sends it later', async () => {
    const email = await queue();
    sink.refuse = 'Mailbox busy, try again later';
    await expect(deliverEmail(services, mailer, email.businessKey)).rejects.toThrow(/try again later/);
    expect(await row(email.businessKey)).toMatchObject({ attempts: 1, sentAt: null, lastError: expect.stringMatching(/451.*try again later/) });

    const failed = await deliverPendingEmails(services, mailer, { limit: 10 });
    expect(failed).toMatchObject({ sent: 0, failed: 1, failures: [{ businessKey: email.businessKey, error: expect.stringMatching(/451/) }] });
    expect(await row(email.businessKey)).toMatchObject({ attempts: 2, sentAt: null });
    expect(sink.received).toHaveLength(0);

    sink.refuse = undefined;
    expect(await deliverPendingEmails(services, mailer, { limit: 10 })).toMatchObject({ sent: 1, failed: 0 });
    expect(sink.received).toHaveLength(1);
    expect(await row(email.businessKey)).toMatchObject({ attempts: 3, sentAt: expect.any(Date) });
  });

  it('tries a message that keeps failing less and less often, and never gives it up', async () => {
    const email = await queue();
    await db.prisma.outboxMessage.update({ where: { businessKey: email.businessKey }, data: { attempts: 5 } });
    // After 5 failures it waits until 2^(5-3) = 4 minutes after it was queued.
    offset = 3 * 60_000;
    expect(await deliverPendingEmails(services, mailer, { limit: 10 })).toMatchObject({ sent: 0, failed: 0 });
    offset = 5 * 60_000;
    expect(await deliverPendingEmails(services, mailer, { limit: 10 })).toMatchObject({ sent: 1 });
    // Asked for by key, it is sent whatever its count: the caller's retry policy decides.
    const other = await queue();
    await db.prisma.outboxMessage.update({ where: { businessKey: other.businessKey }, data: { attempts: 50 } });
    expect(await deliverEmail(services, mailer, other.businessKey)).toBe('sent');
  });

  it('refuses, for good, to deliver a business key that was never queued', async () => {
    const refusal = deliverEmail(services, mailer, 'card-expiry-warning/none/2026-12-31');
    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({ kind: 'not_found', code: 'email-not-queued' });
  });

  it('signs in with the credentials in SMTP_URL', async () => {
    const guarded = await startSmtpSink({ user: 'billing', pass: 's3cret' });
    const wrong = createMailer({ smtpUrl: guarded.url.replace('s3cret', 'wrong'), from: 'billing@example.com', dataDir: '/nonexistent' });
    const right = createMailer({ smtpUrl: guarded.url, from: 'billing@example.com', dataDir: '/nonexistent' });
    try {
      expect(await right.describe()).toMatch(/^smtp:\/\/billing:\*\*\*@127\.0\.0\.1:\d+/);
      const email = await queue();
      await expect(deliverEmail(services, wrong, email.businessKey)).rejects.toThrow(/535|Invalid/);
      expect(await deliverEmail(services, right, email.businessKey)).toBe('sent');
      expect(guarded.received).toHaveLength(1);
    } finally {
      await Promise.all([wrong.close(), right.close(), guarded.close()]);
    }
  });
});

describe('the embedded default: .eml files in the data folder', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'billing-center-mail-test-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes each message as a parseable RFC 5322 file named by time and business key, once', async () => {
    const files = createMailer({ smtpUrl: undefined, from: 'Billing Center <billing@localhost>', dataDir });
    const email = await queue({ businessKey: 'balance-alert/acc 1/arrears/usage/rec-1' });
    expect(await deliverEmail(services, files, email.businessKey)).toBe('sent');
    expect(await deliverEmail(services, files, email.businessKey)).toBe('already_sent');

    const names = await readdir(path.join(dataDir, 'mail'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z_balance-alert_acc_1_arrears_usage_rec-1_[0-9a-f]{8}\.eml$/);
    const raw = await readFile(path.join(dataDir, 'mail', names[0]!), 'utf8');
    expect(raw).not.toMatch(/[^\r]\n/); // CRLF line ends, as on the wire
    const message = parseMessage(raw);
    expect(message.headers.get('from')).toBe('Billing Center <billing@localhost>');
    expect(message.headers.get('to')).toBe(email.to);
    expect(message.headers.get('subject')).toBe(email.subject);
    expect(message.headers.get('message-id')).toBe(messageIdFor(email.businessKey, 'billing@localhost'));
    expect(message.headers.get('date')).toMatch(/\d{4} \d\d:\d\d:\d\d \+0000$/);
    expect(message.body.replace(/\r\n/g, '\n')).toBe(email.body);
    expect(await files.describe()).toBe(`${path.join(dataDir, 'mail', '*.eml')} (1 message so far; set SMTP_URL to send)`);
    await files.close();
  });
});

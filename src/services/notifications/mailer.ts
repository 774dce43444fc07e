import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTransport, type SendMailOptions } from 'nodemailer';

/** One message as the outbox hands it to a mailer. */
export interface OutgoingEmail {
  businessKey: string;
  to: string;
  subject: string;
  body: string;
  /** When it was queued: names its file in the file mailer, so a resend overwrites rather than duplicates. */
  queuedAt: Date;
}

/** Where email goes. Delivery (deliver.ts) decides when; a mailer only sends, or throws. */
export interface Mailer {
  /** Resolves once the message is accepted (by the SMTP server, or written whole to disk). */
  send(email: OutgoingEmail): Promise<void>;
  /** Where mail goes, for the banner and logs; never shows a password. */
  describe(): Promise<string>;
  close(): Promise<void>;
}

export const DEFAULT_MAIL_FROM = 'Billing Center <billing@localhost>';

/** An SMTP send may take this long; it stays well below the 30 s of the transaction that holds its row lock. */
export const SEND_TIMEOUT_MS = 20_000;

const keyHash = (businessKey: string) => createHash('sha256').update(businessKey).digest('hex');

/**
 * The message's Message-ID, the same every time its business key is sent: a receiver (or a relay) that
 * deduplicates by Message-ID drops the second copy a crash in the remaining window could produce.
 */
export function messageIdFor(businessKey: string, from: string): string {
  const domain = /@([^<>@\s]+)>?\s*$/.exec(from)?.[1] ?? 'billing-center.invalid';
  return `<${keyHash(businessKey).slice(0, 40)}@${domain}>`;
}

/** A file-name-safe form of the business key; the hash keeps keys distinct that differ only in unsafe characters. */
export function fileNameFor(email: Pick<OutgoingEmail, 'businessKey' | 'queuedAt'>): string {
  const time = email.queuedAt.toISOString().replace(/[:.]/g, '-');
  const safe = email.businessKey.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  return `${time}_${safe}_${keyHash(email.businessKey).slice(0, 8)}.eml`;
}

function message(email: OutgoingEmail, from: string): SendMailOptions {
  return {
    from,
    to: email.to,
    subject: email.subject,
    text: email.body,
    messageId: messageIdFor(email.businessKey, from),
    headers: {
      // RFC 3834: an automatic notification, so auto-responders do not answer it.
      'Auto-Submitted': 'auto-generated',
      // Lets support find the outbox row of a message a customer forwards.
      'X-Billing-Center-Key': email.businessKey,
    },
  };
}

/** Sends through an SMTP server: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...:465`. */
export function createSmtpMailer(options: { url: string; from?: string }): Mailer {
  const from = options.from ?? DEFAULT_MAIL_FROM;
  // Options in the URL (e.g. `?pool=true`) win over these defaults; nodemailer's own are minutes long.
  const transport = createTransport({ url: options.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 });
  const shown = new URL(options.url);
  if (shown.password) shown.password = '***';
  return {
    async send(email) {
      await transport.sendMail({ ...message(email, from), signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    },
    describe: async () => `${shown.toString()} (from ${from})`,
    close: async () => transport.close(),
  };
}

/**
 * Writes each message as an RFC 5322 `.eml` file (what the SMTP server would have received) into `dir`:
 * the embedded default, so nothing leaves the machine and a developer opens the mail in any mail client.
 */
export function createFileMailer(options: { dir: string; from?: string }): Mailer {
  const from = options.from ?? DEFAULT_MAIL_FROM;
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const count = async () => (await readdir(options.dir).catch(() => [])).filter((name) => name.endsWith('.eml')).length;
  return {
    async send(email) {
      const info = await transport.sendMail(message(email, from));
      await mkdir(options.dir, { recursive: true });
      const file = path.join(options.dir, fileNameFor(email));
      // Written aside and renamed, so a reader never sees half a message; a resend replaces the same file.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, file);
    },
    describe: async () => {
      const n = await count();
      return `${path.join(options.dir, '*.eml')} (${n} ${n === 1 ? 'message' : 'messages'} so far; set SMTP_URL to send)`;
    },
    close: async () => transport.close(),
  };
}

/** SMTP when `smtpUrl` is set, else `.eml` files in `$DATA_DIR/mail/`. */
export function createMailer(config: { smtpUrl: string | undefined; from: string; dataDir: string }): Mailer {
  return config.smtpUrl
    ? createSmtpMailer({ url: config.smtpUrl, from: config.from })
    : createFileMailer({ dir: path.join(config.dataDir, 'mail'), from: config.from });
}

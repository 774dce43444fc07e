import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './gateway.js';

/**
 * Signed notifications, as the sandbox gateway sends them (the scheme of Stripe's webhooks):
 * `x-sandbox-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The timestamp is inside
 * the MAC, so a captured notification cannot be replayed with a fresh time; older than the tolerance
 * (either way, for clock skew), it is refused. Replays inside the window are harmless by design: each
 * notification carries an `eventId` and the recharge workflow ignores ids it has seen.
 */

export const SIGNATURE_HEADER = 'x-sandbox-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function mac(secret: string, timestamp: number, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body`, signed at `at`. */
export function signWebhook(body: Buffer | string, secret: string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, body).toString('hex')}`;
}

/** Throws `WebhookVerificationError` unless `header` is a fresh signature of exactly `body` with `secret`. */
export function verifyWebhookSignature(
  body: Buffer | string,
  header: string | string[] | undefined,
  secret: string,
  now: Date,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): void {
  if (header === undefined || header === '') {
    throw new WebhookVerificationError('missing_signature', `The notification has no ${SIGNATURE_HEADER} header.`);
  }
  if (Array.isArray(header)) {
    throw new WebhookVerificationError('malformed_signature', `The notification has more than one ${SIGNATURE_HEADER} header.`);
  }
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Several v1 values are allowed, so a gateway can sign with an old and a new secret while rotating.
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new WebhookVerificationError('malformed_signature', `${SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<hex>".`);
  }
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError('stale_timestamp', `The signature's timestamp is more than ${toleranceSeconds} s from now.`);
  }
  const expected = mac(secret, timestamp, body);
  // Every candidate is compared in constant time; none is skipped early, so timing says nothing.
  const matches = candidates.map((candidate) => timingSafeEqual(candidate, expected));
  if (!matches.includes(true)) {
    throw new WebhookVerificationError('bad_signature', 'The signature does not match the notification.');
  }
}

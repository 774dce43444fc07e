import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalCode, groupsOfFour, randomCode } from './alphabet.js';
import type { RandomBytes } from './random.js';

/**
 * The secret printed under the scratch panel of a prepaid card: 16 symbols of the unambiguous alphabet, 80
 * random bits, and how it is stored and checked.
 *
 * Stored as HMAC-SHA256 of the canonical secret keyed by the card number, not with argon2 like passwords, on
 * purpose. A slow hash protects guessable inputs; these secrets are 80 random bits, so even with the table in
 * hand, trying them offline is out of reach at any hash speed, while a slow hash would make each verification
 * cost ~50 ms of CPU (100 concurrent redemptions: seconds). Keying by the card number gives every card its own
 * hash function: equal secrets on two cards hash differently, and no precomputed table is of use. Online
 * guessing is the lockout's job (prepaid_cards.failed_attempts).
 *
 * Uses node:crypto, so unlike the rest of src/domain this file is not for workflow code (verify in an activity).
 */
export const CARD_SECRET_LENGTH = 16;

/** A new secret, canonical (no dashes). */
export function generateCardSecret(random: RandomBytes): string {
  return randomCode(random, CARD_SECRET_LENGTH);
}

/** As printed and shown once at issue: `ABCD-EFGH-JKLM-NPQR`. */
export function formatCardSecret(secret: string): string {
  return groupsOfFour(secret);
}

/** What the customer typed (any case, with or without dashes and spaces) as the canonical secret; null if it cannot be one. */
export function normalizeCardSecret(input: string): string | null {
  return canonicalCode(input, CARD_SECRET_LENGTH);
}

const SCHEME = 'hmac-sha256';
// The stored form names its scheme, so a later change of scheme can tell old hashes from new ones.
const STORED = /^hmac-sha256\$([0-9a-f]{64})$/;

function digest(cardNo: string, canonicalSecret: string): Buffer {
  return createHmac('sha256', cardNo).update(canonicalSecret, 'utf8').digest();
}

/** The stored form (`hmac-sha256$<64 hex>`) of a card's secret. The secret may be in any printed form. */
export function hashCardSecret(cardNo: string, secret: string): string {
  const canonical = normalizeCardSecret(secret);
  if (canonical === null) throw new RangeError('not a card secret');
  return `${SCHEME}$${digest(cardNo, canonical).toString('hex')}`;
}

/**
 * Whether `presented` (as the customer typed it: any case, dashes, spaces) is the secret of card `cardNo`,
 * given the card's stored `secret_hash`. Compares in constant time, so the time taken says nothing about how
 * much of the hash matched. False for a malformed secret or an unknown stored form, never an exception.
 */
export function verifyCardSecret(cardNo: string, presented: string, storedHash: string): boolean {
  const stored = STORED.exec(storedHash);
  const canonical = normalizeCardSecret(presented);
  if (stored === null || canonical === null) return false;
  return timingSafeEqual(digest(cardNo, canonical), Buffer.from(stored[1]!, 'hex'));
}

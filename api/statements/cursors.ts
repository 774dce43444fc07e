import { DomainError } from '../../src/domain/errors.js';
import { decodeCursor, encodeCursor } from '../pagination.js';

/**
 * Cursors over rows ordered by a bigint serial (journal entries, ledger accounts). They use the API's one
 * cursor format (api/pagination.ts); the time in it is informative only, the serial is the position. A serial
 * that is not one must be refused here: BigInt() on garbage would otherwise throw as a 500.
 */

const SERIAL = /^[1-9][0-9]{0,18}$/;
const MAX_SERIAL = 2n ** 63n - 1n;

export function encodeSerialCursor(key: { id: bigint; at: Date }): string {
  return encodeCursor({ at: key.at, id: key.id.toString() });
}

export function decodeSerialCursor(raw: string | undefined): bigint | undefined {
  const cursor = decodeCursor(raw);
  if (cursor === undefined) return undefined;
  const id = SERIAL.test(cursor.id) ? BigInt(cursor.id) : 0n;
  if (id < 1n || id > MAX_SERIAL) {
    throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', {
      fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }],
    });
  }
  return id;
}

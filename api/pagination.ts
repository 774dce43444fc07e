import { DomainError } from '../src/domain/errors.js';

/**
 * Keyset pagination: the cursor is the sort key of the last item seen (a time and an id for ties), opaque to
 * clients. Pages stay correct while rows are added, and cost the same deep in the list as at its start.
 */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new DomainError('invalid', 'validation', 'The cursor is not one this API gave out.', {
      fields: [{ path: '/query/cursor', message: 'is not a valid cursor' }],
    });
  }
}

/** Fetch `limit + 1` rows; this trims the extra one and turns it into the next cursor. */
export function page<T>(rows: T[], limit: number, key: (row: T) => Cursor): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

/** Prisma `where` for rows after the cursor in descending (time, id) order. */
export function afterCursorDesc(cursor: Cursor | undefined, timeField: string) {
  if (!cursor) return {};
  return {
    OR: [{ [timeField]: { lt: cursor.at } }, { [timeField]: cursor.at, id: { lt: cursor.id } }],
  };
}

// Metered quantities are exact decimal strings (PostgreSQL numeric sums them); these helpers only respell
// them as a marketplace wants them. Pure code: workflows and the sandbox import it.

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

export class InvalidQuantityError extends Error {
  override readonly name = 'InvalidQuantityError';
}

function parts(quantity: string): { whole: string; fraction: string } {
  const match = DECIMAL.exec(quantity);
  if (!match) throw new InvalidQuantityError(`"${quantity}" is not a non-negative decimal quantity`);
  return { whole: match[1]!, fraction: (match[2] ?? '').replace(/0+$/, '') };
}

/** One spelling per value: no trailing fraction zeros, no lone point ("1.500000" → "1.5", "2.000" → "2"). */
export function canonicalQuantity(quantity: string): string {
  const { whole, fraction } = parts(quantity);
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Rounded up to a whole unit: a marketplace that counts whole units is never told less than was used. */
export function ceilQuantity(quantity: string): string {
  const { whole, fraction } = parts(quantity);
  return fraction ? (BigInt(whole) + 1n).toString() : whole;
}

export function isWholeQuantity(quantity: string): boolean {
  return parts(quantity).fraction === '';
}

export function isZeroQuantity(quantity: string): boolean {
  return canonicalQuantity(quantity) === '0';
}

/**
 * Luhn mod N over an alphabet: with the ten digits it is the Luhn check digit of payment cards; with a larger
 * alphabet it is the same algorithm in base N. Either way it catches every single mistyped character and
 * almost every swap of two neighbours, so a typo is refused before the database is asked.
 */

function codePoints(text: string, alphabet: string): number[] | null {
  const points: number[] = [];
  for (const character of text) {
    const index = alphabet.indexOf(character);
    if (index < 0) return null;
    points.push(index);
  }
  return points;
}

// Doubles every second symbol counting from the right; which end starts decides if the check symbol is included.
function weightedSum(points: readonly number[], base: number, doubleFirstFromRight: boolean): number {
  let sum = 0;
  let double = doubleFirstFromRight;
  for (let index = points.length - 1; index >= 0; index--) {
    let addend = points[index]! * (double ? 2 : 1);
    addend = Math.floor(addend / base) + (addend % base);
    sum += addend;
    double = !double;
  }
  return sum;
}

/** The check symbol to append to `payload`; throws if `payload` has a symbol outside `alphabet` (a bug, not input). */
export function checkCharacter(payload: string, alphabet: string): string {
  const points = codePoints(payload, alphabet);
  if (points === null) throw new RangeError('payload has a character outside the alphabet');
  const base = alphabet.length;
  return alphabet.charAt((base - (weightedSum(points, base, true) % base)) % base);
}

/** True when the last symbol of `text` is the check symbol of the rest. */
export function hasValidCheckCharacter(text: string, alphabet: string): boolean {
  const points = codePoints(text, alphabet);
  if (points === null || points.length < 2) return false;
  return weightedSum(points, alphabet.length, false) % alphabet.length === 0;
}

/**
 * Where card numbers, secrets and voucher codes get their randomness: `size` uniformly random bytes. Passed in
 * (node:crypto's `randomBytes` in the service, a fixed sequence in tests) so this module stays pure and its
 * output reproducible under test.
 */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * `count` uniform integers in [0, modulus), by rejection sampling: a byte at or above the largest multiple of
 * `modulus` is thrown away, because `byte % modulus` would otherwise favour the small values (for digits,
 * 0 to 5 would come up 26 times in 256 and 6 to 9 only 25).
 */
export function uniformIntegers(random: RandomBytes, count: number, modulus: number): number[] {
  if (!Number.isInteger(modulus) || modulus < 1 || modulus > 256) throw new RangeError(`modulus ${modulus} is not in 1..256`);
  const limit = 256 - (256 % modulus);
  const values: number[] = [];
  while (values.length < count) {
    // Ask for a little more than needed, so rejections rarely cost another call.
    for (const byte of random(count - values.length + 4)) {
      if (byte < limit) values.push(byte % modulus);
      if (values.length === count) break;
    }
  }
  return values;
}

/**
 * `source` read ahead in blocks: drawing 10,000 cards takes a few hundred thousand bytes in small requests,
 * and one large request is far cheaper than tens of thousands of small ones. Same bytes, same order.
 */
export function bufferedRandom(source: RandomBytes, blockSize = 8192): RandomBytes {
  let block: Uint8Array = new Uint8Array(0);
  let position = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let filled = 0; filled < size; ) {
      if (position === block.length) {
        block = source(Math.max(blockSize, size - filled));
        position = 0;
      }
      const take = Math.min(size - filled, block.length - position);
      out.set(block.subarray(position, position + take), filled);
      filled += take;
      position += take;
    }
    return out;
  };
}

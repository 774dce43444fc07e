import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/services/identity/principal.js';
import { PRINCIPAL_MAX_AGE_MS, PrincipalCache } from '../../../src/services/identity/principal-cache.js';

const alice: Principal = { kind: 'user', userId: 'u-1', sessionId: 's-1', roles: ['customer'], accountId: 'a-1' };
const at = (ms: number) => new Date(Date.UTC(2026, 10, 27) + ms);
const listening = () => {
  const cache = new PrincipalCache();
  cache.setListening(true);
  return cache;
};

describe('principal cache', () => {
  it('answers a token it was told about, until the session expires', () => {
    const cache = listening();
    cache.remember('hash-a', alice, at(10_000), cache.generation(), at(0));
    expect(cache.get('hash-a', at(9_999))).toEqual(alice);
    expect(cache.get('hash-a', at(10_000))).toBeUndefined();
    expect(cache.get('hash-b', at(0))).toBeUndefined();
  });

  it('asks the database again once an answer is older than the maximum age', () => {
    const cache = listening();
    cache.remember('hash-a', alice, at(3_600_000), cache.generation(), at(0));
    expect(cache.get('hash-a', at(PRINCIPAL_MAX_AGE_MS - 1))).toEqual(alice);
    expect(cache.get('hash-a', at(PRINCIPAL_MAX_AGE_MS))).toBeUndefined();
  });

  it('remembers nothing while it is not listening for changes', () => {
    const cache = new PrincipalCache();
    cache.remember('hash-a', alice, at(3_600_000), cache.generation(), at(0));
    expect(cache.get('hash-a', at(1))).toBeUndefined();
  });

  it('forgets everything on a change, and when the channel is lost', () => {
    const cache = listening();
    cache.remember('hash-a', alice, at(3_600_000), cache.generation(), at(0));
    cache.forgetAll();
    expect(cache.get('hash-a', at(1))).toBeUndefined();

    cache.remember('hash-a', alice, at(3_600_000), cache.generation(), at(0));
    cache.setListening(false);
    expect(cache.get('hash-a', at(1))).toBeUndefined();
  });

  it('does not keep an answer read before a change that was announced while it was being read', () => {
    const cache = listening();
    const readAt = cache.generation();
    cache.forgetAll(); // a logout committed and was announced while the session row was on its way
    cache.remember('hash-a', alice, at(3_600_000), readAt, at(0));
    expect(cache.get('hash-a', at(1))).toBeUndefined();
  });

  it('does not trust an answer from the future (a clock moved back)', () => {
    const cache = listening();
    cache.remember('hash-a', alice, at(3_600_000), cache.generation(), at(5_000));
    expect(cache.get('hash-a', at(4_000))).toBeUndefined();
  });
});

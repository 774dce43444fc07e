import { describe, expect, it } from 'vitest';
import { validatePassword } from '../../../src/domain/identity/password-policy.js';

const UNCOMMON_TEN = 'kx7#mPq2vL';

describe('password policy', () => {
  it('refuses 9 characters as too short and says how many are needed', () => {
    const refusal = validatePassword(UNCOMMON_TEN.slice(0, 9));
    expect(refusal).toMatchObject({ ok: false, reason: 'too_short' });
    if (!refusal.ok) expect(refusal.message).toContain('10');
  });

  it('accepts exactly 10 uncommon characters and returns the password untouched', () => {
    expect(validatePassword(UNCOMMON_TEN)).toEqual({ ok: true, value: UNCOMMON_TEN });
  });

  it('accepts 128 characters and refuses 129 as too long', () => {
    expect(validatePassword('a'.repeat(127) + 'b').ok).toBe(true);
    expect(validatePassword('a'.repeat(128) + 'b')).toMatchObject({ ok: false, reason: 'too_long' });
  });

  it('counts characters, not UTF-16 units, so five emoji are too short', () => {
    // Each emoji is two UTF-16 units: the string's .length is 10.
    expect(validatePassword('🔑🔑🔑🔑🔑')).toMatchObject({ ok: false, reason: 'too_short' });
  });

  it('accepts a password of ten Chinese characters', () => {
    expect(validatePassword('我的密码不容易被猜到').ok).toBe(true);
  });

  it('does not trim spaces, which are part of the password', () => {
    expect(validatePassword('  horse battery  ')).toEqual({ ok: true, value: '  horse battery  ' });
  });

  it.each(['qwertyuiop', 'QwertyUIOP', 'PASSWORD123', 'woaini1314', '1q2w3e4r5t'])(
    'refuses the common password %s whatever its case',
    (password) => {
      expect(validatePassword(password)).toMatchObject({ ok: false, reason: 'common' });
    },
  );

  it('refuses the account email as the password, ignoring case', () => {
    expect(validatePassword('Jonathan.Smith@Example.com', { email: 'jonathan.smith@example.com' })).toMatchObject({
      ok: false,
      reason: 'same_as_email',
    });
  });

  it("refuses the email's local part as the password", () => {
    expect(validatePassword('jonathan.smith', { email: ' Jonathan.Smith@example.com ' })).toMatchObject({
      ok: false,
      reason: 'same_as_email',
    });
  });

  it('accepts a password that only contains the email', () => {
    expect(validatePassword('jonathan.smith-rides-bikes', { email: 'jonathan.smith@example.com' }).ok).toBe(true);
  });

  it('gives every refusal a sentence a person can read', () => {
    const refusals = [
      validatePassword('short'),
      validatePassword('x'.repeat(129)),
      validatePassword('qwertyuiop'),
      validatePassword('jonathan.smith', { email: 'jonathan.smith@example.com' }),
    ];
    for (const refusal of refusals) {
      expect(refusal.ok).toBe(false);
      if (!refusal.ok) expect(refusal.message).toMatch(/^[A-Z].* .*\.$/);
    }
  });
});

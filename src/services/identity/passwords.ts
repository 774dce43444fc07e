import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { DomainError } from '../../domain/errors.js';
import { validatePassword } from '../../domain/identity/password-policy.js';

/** Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): about 40 ms a hash on this class of machine. */
// The package's Algorithm is a const enum, which isolated modules cannot read; 2 is its Argon2id.
const ARGON2ID_ALGORITHM: Algorithm.Argon2id = 2;
const ARGON2ID = { algorithm: ARGON2ID_ALGORITHM, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Spent on a sign-in for an unknown email, so it takes as long as one with a wrong password. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-but-a-timing-twin');
  await verifyPassword(await dummyHash, password);
}

/** Refuses a weak password with a 400 that names the field and says why. */
export function assertStrongPassword(password: string, field: string, email?: string): void {
  const result = validatePassword(password, email === undefined ? {} : { email });
  if (!result.ok) {
    throw new DomainError('invalid', 'weak-password', result.message, { fields: [{ path: field, message: result.message }] });
  }
}

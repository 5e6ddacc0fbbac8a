import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG (ARCHITECTURE.md: 128+ bits for every token). */
export function newEnrollmentToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashEnrollmentToken(token) };
}

/** Only this hash is stored, so a copy of the database cannot be used to enroll. */
export function hashEnrollmentToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape check before any lookup: 43 base64url characters (32 bytes). */
export function isWellFormedEnrollmentToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * Password hashing with argon2id (hash-wasm, runs on Deno and edge workers): m=19456 KiB, t=2,
 * p=1 (OWASP's first recommendation), 16-byte random salt, 32-byte hash, stored as the PHC
 * encoded string. `needsRehash` tells the login to upgrade hashes made with other parameters.
 */
import { argon2id, argon2Verify } from "hash-wasm";

export interface Argon2Params {
  memorySize: number;
  iterations: number;
  parallelism: number;
  hashLength: number;
}

export const ARGON2: Readonly<Argon2Params> = {
  memorySize: 19456,
  iterations: 2,
  parallelism: 1,
  hashLength: 32,
};

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

export class PasswordError extends Error {
  override name = "PasswordError";
}

export function hashPassword(password: string, params: Readonly<Argon2Params> = ARGON2): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    ...params,
    outputType: "encoded",
  });
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encoded });
  } catch {
    return false;
  }
}

/** True when `encoded` was made with parameters other than the current ones. */
export function needsRehash(encoded: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!m) return true;
  return Number(m[1]) !== ARGON2.memorySize || Number(m[2]) !== ARGON2.iterations ||
    Number(m[3]) !== ARGON2.parallelism;
}

/** A reason the password is not acceptable, or null. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (email && password.toLowerCase() === email.toLowerCase()) return "Don't use your email address.";
  if (/^(.)\1+$/.test(password)) return "Pick something less repetitive.";
  return null;
}

/** A hash of a random password, verified against so unknown emails cost the same time. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}

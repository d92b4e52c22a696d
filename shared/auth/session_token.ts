/**
 * Session tokens in the Lucia design, shared by IdCloud and every user server: the cookie carries
 * `<id>.<secret>`, the DB keeps only SHA-256(secret), compared in constant time; sliding expiry
 * (renewed at most once per `renewAfterMs`, never past `absoluteMs`); `__Host-` cookies only
 * (Secure, Path=/, no Domain), HttpOnly, SameSite=Lax — so no user server can set or read a
 * cookie another trusts (ARCHITECTURE.md §9.7).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { constantTimeEqual, randomToken, sha256Hex } from "../crypto/mod.ts";

export interface SessionPolicy {
  /** A session unused this long is gone. */
  inactivityMs: number;
  /** Renew (extend, re-set the cookie) when the last renewal is older than this. */
  renewAfterMs: number;
  /** No session outlives this, however active. */
  absoluteMs: number;
}

export interface NewSessionToken {
  id: string;
  /** What the DB stores. */
  secretHash: string;
  /** What the cookie carries. */
  token: string;
}

export async function newSessionToken(): Promise<NewSessionToken> {
  const id = randomToken(15);
  const secret = randomToken(32);
  return { id, secretHash: await sha256Hex(secret), token: `${id}.${secret}` };
}

const TOKEN = /^([A-Za-z0-9_-]{10,64})\.([A-Za-z0-9_-]{20,128})$/;

/** Splits a cookie value; null when it is not a token. */
export function parseSessionToken(raw: string | undefined): { id: string; secret: string } | null {
  const m = raw ? TOKEN.exec(raw) : null;
  return m ? { id: m[1], secret: m[2] } : null;
}

export async function secretMatches(secret: string, secretHash: string): Promise<boolean> {
  return constantTimeEqual(await sha256Hex(secret), secretHash);
}

export type ExpiryVerdict = { kind: "expired" } | { kind: "valid" } | { kind: "renew"; expiresAt: number };

/** What to do with a stored session at `now`. */
export function checkExpiry(
  s: { createdAt: number; lastSeenAt: number; expiresAt: number },
  now: number,
  policy: SessionPolicy,
): ExpiryVerdict {
  if (now >= s.expiresAt || now >= s.createdAt + policy.absoluteMs) return { kind: "expired" };
  if (now - s.lastSeenAt >= policy.renewAfterMs) {
    return { kind: "renew", expiresAt: Math.min(now + policy.inactivityMs, s.createdAt + policy.absoluteMs) };
  }
  return { kind: "valid" };
}

/** A `__Host-<name>` session cookie. */
export function sessionCookie(name: string) {
  return {
    /** The full cookie name, as browsers see it. */
    fullName: `__Host-${name}`,
    get: (c: Context): string | undefined => getCookie(c, name, "host"),
    set(c: Context, value: string, maxAgeMs: number): void {
      setCookie(c, name, value, {
        path: "/",
        secure: true,
        httpOnly: true,
        sameSite: "Lax",
        maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
        prefix: "host",
      });
    },
    /** Expires the cookie if the browser sent one. */
    clear(c: Context): void {
      if (getCookie(c, name, "host") !== undefined) {
        deleteCookie(c, name, { path: "/", secure: true, prefix: "host" });
      }
    },
  };
}

/**
 * The user server's own sign-in sessions, in the Lucia design: the `__Host-hearth_session`
 * cookie carries `<id>.<secret>`, the DB keeps only SHA-256(secret), compared in constant time.
 * Sliding expiry: a session unused for `INACTIVITY_MS` ends; use renews it (at most hourly), up
 * to `ABSOLUTE_MS`.
 */
import { eq, lte } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Database } from "../../platform/db.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type * as schema from "../../shared/db/userserver/schema.ts";
import { sessions } from "../../shared/db/userserver/schema.ts";

export const SESSION_COOKIE = "__Host-hearth_session";
const COOKIE_NAME = "hearth_session";
export const INACTIVITY_MS = 14 * 24 * 3600_000;
export const RENEW_AFTER_MS = 3600_000;
export const ABSOLUTE_MS = 90 * 24 * 3600_000;

export interface SignedInUser {
  /** How the shell names the viewer: their email (or account id). */
  name: string;
  /** IdCloud's subject: the account id. */
  sub: string;
  email: string;
  isOwner: boolean;
  sessionId: string;
  idToken: string;
}

type Db = Database<typeof schema>;

export async function createSession(
  c: Context,
  db: Db,
  now: number,
  user: { sub: string; email: string; isOwner: boolean; idToken: string },
): Promise<void> {
  const id = randomToken(15);
  const secret = randomToken(32);
  const secretHash = await sha256Hex(secret);
  await db.write(async () => {
    await db.orm.delete(sessions).where(lte(sessions.expiresAt, now));
    await db.orm.insert(sessions).values({
      id,
      secretHash,
      ...user,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + INACTIVITY_MS,
    });
  });
  setSessionCookie(c, `${id}.${secret}`, INACTIVITY_MS);
}

export async function readSession(c: Context, db: Db, now: number): Promise<SignedInUser | null> {
  const raw = getCookie(c, COOKIE_NAME, "host");
  if (!raw) return null;
  const m = /^([A-Za-z0-9_-]{10,64})\.([A-Za-z0-9_-]{20,128})$/.exec(raw);
  const row = m ? (await db.orm.select().from(sessions).where(eq(sessions.id, m[1])))[0] : undefined;
  if (!m || !row || !constantTimeEqual(await sha256Hex(m[2]), row.secretHash)) {
    clearSessionCookie(c);
    return null;
  }
  if (now >= row.expiresAt || now >= row.createdAt + ABSOLUTE_MS) {
    await db.write(() => db.orm.delete(sessions).where(eq(sessions.id, row.id)));
    clearSessionCookie(c);
    return null;
  }
  if (now - row.lastSeenAt >= RENEW_AFTER_MS) {
    const expiresAt = Math.min(now + INACTIVITY_MS, row.createdAt + ABSOLUTE_MS);
    await db.write(() =>
      db.orm.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, row.id))
    );
    setSessionCookie(c, raw, expiresAt - now);
  }
  return {
    name: row.email || row.sub,
    sub: row.sub,
    email: row.email,
    isOwner: row.isOwner,
    sessionId: row.id,
    idToken: row.idToken,
  };
}

export async function deleteSession(c: Context, db: Db, sessionId: string): Promise<void> {
  await db.write(() => db.orm.delete(sessions).where(eq(sessions.id, sessionId)));
  clearSessionCookie(c);
}

function setSessionCookie(c: Context, value: string, maxAgeMs: number): void {
  setCookie(c, COOKIE_NAME, value, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
    prefix: "host",
  });
}

export function clearSessionCookie(c: Context): void {
  if (getCookie(c, COOKIE_NAME, "host") !== undefined) {
    deleteCookie(c, COOKIE_NAME, { path: "/", secure: true, prefix: "host" });
  }
}

/**
 * The user server's own sign-in sessions, in the Lucia design: the `__Host-hearth_session`
 * cookie carries `<id>.<secret>`, the DB keeps only SHA-256(secret), compared in constant time.
 * Sliding expiry: a session unused for `INACTIVITY_MS` ends; use renews it (at most hourly), up
 * to `ABSOLUTE_MS`.
 */
import { eq, lte } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../../platform/db.ts";
import {
  checkExpiry,
  newSessionToken,
  parseSessionToken,
  secretMatches,
  sessionCookie,
} from "../../shared/auth/session_token.ts";
import type * as schema from "../../shared/db/userserver/schema.ts";
import { sessions } from "../../shared/db/userserver/schema.ts";

const cookie = sessionCookie("hearth_session");
export const SESSION_COOKIE = cookie.fullName;
export const INACTIVITY_MS = 14 * 24 * 3600_000;
export const RENEW_AFTER_MS = 3600_000;
export const ABSOLUTE_MS = 90 * 24 * 3600_000;
const POLICY = { inactivityMs: INACTIVITY_MS, renewAfterMs: RENEW_AFTER_MS, absoluteMs: ABSOLUTE_MS };

export interface SignedInUser {
  /** How the shell names the viewer: their email (or account id). */
  name: string;
  /** IdCloud's subject: the account id. */
  sub: string;
  email: string;
  isOwner: boolean;
  /** The account's own Hearth servers (IdCloud's `hearth_servers`). */
  servers: string[];
  sessionId: string;
  idToken: string;
  /** The grant's refresh token, introspected at IdCloud (session_check.ts); null for older sessions. */
  refreshToken: string | null;
  /** When IdCloud last vouched for the grant (ms); null if never. */
  checkedAt: number | null;
}

type Db = Database<typeof schema>;

export async function createSession(
  c: Context,
  db: Db,
  now: number,
  user: {
    sub: string;
    email: string;
    isOwner: boolean;
    servers: string[];
    idToken: string;
    refreshToken: string | null;
  },
): Promise<void> {
  const { id, secretHash, token } = await newSessionToken();
  await db.write(async () => {
    await db.orm.delete(sessions).where(lte(sessions.expiresAt, now));
    await db.orm.insert(sessions).values({
      id,
      secretHash,
      ...user,
      servers: JSON.stringify(user.servers),
      checkedAt: now,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + INACTIVITY_MS,
    });
  });
  cookie.set(c, token, INACTIVITY_MS);
}

export async function readSession(c: Context, db: Db, now: number): Promise<SignedInUser | null> {
  const raw = cookie.get(c);
  if (!raw) return null;
  const token = parseSessionToken(raw);
  const row = token ? (await db.orm.select().from(sessions).where(eq(sessions.id, token.id)))[0] : undefined;
  if (!token || !row || !(await secretMatches(token.secret, row.secretHash))) {
    cookie.clear(c);
    return null;
  }
  const verdict = checkExpiry(row, now, POLICY);
  if (verdict.kind === "expired") {
    await db.write(() => db.orm.delete(sessions).where(eq(sessions.id, row.id)));
    cookie.clear(c);
    return null;
  }
  if (verdict.kind === "renew") {
    const { expiresAt } = verdict;
    await db.write(() =>
      db.orm.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.id, row.id))
    );
    cookie.set(c, raw, expiresAt - now);
  }
  return {
    name: row.email || row.sub,
    sub: row.sub,
    email: row.email,
    isOwner: row.isOwner,
    servers: serversOf(row.servers),
    sessionId: row.id,
    idToken: row.idToken,
    refreshToken: row.refreshToken,
    checkedAt: row.checkedAt,
  };
}

/** Records IdCloud's word on a session's grant (and the rotated refresh token, if it changed). */
export async function markChecked(
  db: Db,
  sessionId: string,
  now: number,
  refreshToken?: string,
): Promise<void> {
  await db.write(() =>
    db.orm.update(sessions).set({ checkedAt: now, ...(refreshToken ? { refreshToken } : {}) })
      .where(eq(sessions.id, sessionId))
  );
}

export async function deleteSession(c: Context, db: Db, sessionId: string): Promise<void> {
  await db.write(() => db.orm.delete(sessions).where(eq(sessions.id, sessionId)));
  cookie.clear(c);
}

/** The stored server names, or none if the column holds anything else. */
function serversOf(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string").slice(0, 16) : [];
  } catch {
    return [];
  }
}

/**
 * IdCloud sessions in the Lucia design: the cookie carries `<id>.<secret>`, the DB keeps only
 * SHA-256(secret), compared in constant time. A session expires after `INACTIVITY_MS` without
 * use and is renewed (sliding expiry, cookie re-set) at most once per `RENEW_AFTER_MS`, up to an
 * absolute lifetime. The cookie is `__Host-` (Secure, Path=/, no Domain), HttpOnly, SameSite=Lax.
 *
 * Also the contract with the OIDC provider (edge/id/oidc): `getSignedInAccount` and `loginUrl`.
 */
import { clientIp } from "../conninfo.ts";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { accounts, idSessions } from "../../shared/db/cloud/schema.ts";
import {
  checkExpiry,
  newSessionToken,
  parseSessionToken,
  secretMatches,
  sessionCookie,
} from "../../shared/auth/session_token.ts";
import type { CloudDeps } from "../deps.ts";
import { safeReturnTo as sharedSafeReturnTo } from "../../shared/auth/return_to.ts";

const cookie = sessionCookie("hearth_id");
/** The cookie's full name, `__Host-hearth_id`. */
export const SESSION_COOKIE = cookie.fullName;
/** A session unused for this long is gone. */
export const INACTIVITY_MS = 7 * 24 * 3600_000;
/** Renew (extend and re-set the cookie) when the last renewal is older than this. */
export const RENEW_AFTER_MS = 3600_000;
/** No session outlives this, however active. */
export const ABSOLUTE_MS = 60 * 24 * 3600_000;
const POLICY = { inactivityMs: INACTIVITY_MS, renewAfterMs: RENEW_AFTER_MS, absoluteMs: ABSOLUTE_MS };

export interface SignedInAccount {
  accountId: string;
  email: string;
  /** When the password (and TOTP, if enrolled) were last checked, in Unix **seconds** (OIDC `auth_time`). */
  authTime: number;
}

export interface SessionInfo extends SignedInAccount {
  sessionId: string;
  totpEnabled: boolean;
}

/** The login page that sends the browser on to `returnTo` (a same-origin relative path) after login. */
/**
 * The login page, coming back to `returnTo`. `reauth`: the visitor is signed in but must sign in
 * again (OIDC `prompt=login`, `max_age`); the page asks rather than redirecting, and the current
 * session lasts until they do — a link alone never signs anyone out.
 */
export function loginUrl(returnTo: string, { reauth = false } = {}): string {
  return `/login?return_to=${encodeURIComponent(safeReturnTo(returnTo))}${reauth ? "&reauth=1" : ""}`;
}

/** `value` if it is a same-origin relative path, else `/account` (see shared/auth/return_to.ts). */
export function safeReturnTo(value: string | undefined | null): string {
  return sharedSafeReturnTo(value, "/account");
}

/** Creates a session for a fully authenticated account and sets the cookie. */
export async function createSession(
  c: Context,
  deps: CloudDeps,
  accountId: string,
): Promise<string> {
  const { id, secretHash, token } = await newSessionToken();
  const now = deps.now();
  await deps.db.write(() =>
    deps.db.orm.insert(idSessions).values({
      id,
      accountId,
      secretHash,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + INACTIVITY_MS,
      authTime: now,
      userAgent: (c.req.header("user-agent") ?? "").slice(0, 300),
      ip: clientIp(c),
    })
  );
  cookie.set(c, token, INACTIVITY_MS);
  return id;
}

/** The signed-in account from the session cookie, renewing the session when due; null when none. */
export async function getSignedInAccount(c: Context, deps: CloudDeps): Promise<SignedInAccount | null> {
  const s = await getSession(c, deps);
  return s ? { accountId: s.accountId, email: s.email, authTime: s.authTime } : null;
}

/** Like `getSignedInAccount`, with the session id and TOTP state. */
export async function getSession(c: Context, deps: CloudDeps): Promise<SessionInfo | null> {
  const cached = c.get("idSession" as never) as SessionInfo | null | undefined;
  if (cached !== undefined) return cached;
  const info = await validate(c, deps);
  c.set("idSession" as never, info as never);
  return info;
}

async function validate(c: Context, deps: CloudDeps): Promise<SessionInfo | null> {
  const raw = cookie.get(c);
  if (!raw) return null;
  const parsed = parseSessionToken(raw);
  if (!parsed) {
    cookie.clear(c);
    return null;
  }
  const { id, secret } = parsed;
  const rows = await deps.db.orm
    .select({
      s: idSessions,
      email: accounts.email,
      verified: accounts.emailVerifiedAt,
      totp: accounts.totpEnabledAt,
    })
    .from(idSessions)
    .innerJoin(accounts, eq(accounts.id, idSessions.accountId))
    .where(eq(idSessions.id, id));
  const row = rows[0];
  if (!row || !(await secretMatches(secret, row.s.secretHash)) || row.verified == null) {
    cookie.clear(c);
    return null;
  }
  const now = deps.now();
  const verdict = checkExpiry(row.s, now, POLICY);
  if (verdict.kind === "expired") {
    await deps.db.write(() => deps.db.orm.delete(idSessions).where(eq(idSessions.id, id)));
    cookie.clear(c);
    return null;
  }
  if (verdict.kind === "renew") {
    const { expiresAt } = verdict;
    await deps.db.write(() =>
      deps.db.orm.update(idSessions).set({ lastSeenAt: now, expiresAt }).where(eq(idSessions.id, id))
    );
    cookie.set(c, raw, expiresAt - now);
  }
  return {
    sessionId: id,
    accountId: row.s.accountId,
    email: row.email,
    authTime: Math.floor(row.s.authTime / 1000),
    totpEnabled: row.totp != null,
  };
}

/** Ends the current session (logout). */
export async function endSession(c: Context, deps: CloudDeps): Promise<void> {
  const s = await getSession(c, deps);
  if (s) await deps.db.write(() => deps.db.orm.delete(idSessions).where(eq(idSessions.id, s.sessionId)));
  cookie.clear(c);
  c.set("idSession" as never, null as never);
}

/** Revokes one of the account's sessions. */
export async function revokeSession(deps: CloudDeps, accountId: string, sessionId: string): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.delete(idSessions).where(
      and(eq(idSessions.id, sessionId), eq(idSessions.accountId, accountId)),
    )
  );
}

/** Ends every session of an account (after a password reset), except `keep`. */
export async function revokeAllSessions(deps: CloudDeps, accountId: string, keep?: string): Promise<void> {
  const all = await deps.db.orm.select({ id: idSessions.id }).from(idSessions).where(
    eq(idSessions.accountId, accountId),
  );
  const drop = all.map((r) => r.id).filter((id) => id !== keep);
  for (const id of drop) await revokeSession(deps, accountId, id);
}

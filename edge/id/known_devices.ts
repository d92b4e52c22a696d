/**
 * Known devices: a browser that completed a sign-in (password and, when enrolled, the second
 * factor) gets a long-lived `__Host-` cookie whose secret's hash is kept in the cloud DB. While an
 * account is locked because of failed passwords, a known device with the right password (and
 * second factor) still gets in — so anyone who knows an email can no longer lock its owner out
 * with wrong passwords from many addresses (the way Authelia and GitHub separate known and unknown
 * clients). The owner is mailed when a lock starts.
 */
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { enqueueMail, renderMail } from "../mail/mod.ts";
import { idOrigin } from "./accounts.ts";

const COOKIE = "hearth-device";
const TTL_MS = 365 * 24 * 3600_000;

const keyOf = async (accountId: string, secret: string) => `known:${accountId}:${await sha256Hex(secret)}`;

/** Marks this browser as a known device of `accountId` (after a complete sign-in). */
export async function rememberDevice(c: Context, deps: CloudDeps, accountId: string): Promise<void> {
  const secret = randomToken(32);
  const now = deps.now();
  const key = await keyOf(accountId, secret);
  // Kept in the throttles table (key, expiry in banned_until): no migration, one row per device.
  await deps.db.write(() =>
    deps.db.orm.run(sql`insert into throttles (key, tokens, updated_at, failures, banned_until)
      values (${key}, 0, ${now}, 0, ${now + TTL_MS})
      on conflict (key) do update set banned_until = ${now + TTL_MS}`)
  );
  setCookie(c, COOKIE, `${accountId}.${secret}`, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: TTL_MS / 1000,
  });
}

/** Whether this browser completed a sign-in to `accountId` before (and that is not expired). */
export async function isKnownDevice(c: Context, deps: CloudDeps, accountId: string): Promise<boolean> {
  const value = getCookie(c, COOKIE, "host") ?? "";
  const dot = value.indexOf(".");
  if (dot < 0 || value.slice(0, dot) !== accountId) return false;
  const rows = await deps.db.orm.all<{ banned_until: number }>(
    sql`select banned_until from throttles where key = ${await keyOf(accountId, value.slice(dot + 1))}`,
  );
  return Number(rows[0]?.banned_until ?? 0) > deps.now();
}

/** Tells the account's owner that sign-ins are paused because of failed passwords. */
export async function mailLockout(deps: CloudDeps, to: string, minutes: number): Promise<void> {
  await enqueueMail(deps, {
    to,
    ...renderMail({
      subject: "Someone is trying to sign in to your Hearth account",
      heading: "Sign-ins to your account are paused",
      intro: [
        "There were too many wrong passwords for your Hearth account, so sign-ins from new browsers are " +
        `paused for ${minutes} minutes. Browsers you signed in with before still work.`,
        "If this was not you, nothing is lost: the password was not accepted. Consider a longer password " +
        "and two-factor sign-in.",
      ],
      action: { label: "Review your account's security", url: `${idOrigin(deps)}/account/security` },
    }),
  });
}

/**
 * IdCloud's account logic, apart from HTTP: sign-up, mailed single-use links (verify email,
 * reset password, change email), password login with a TOTP step, TOTP enrolment, recovery
 * codes. Callers never learn from a result whether an email has an account, except where the
 * right password was given.
 */
import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import {
  accounts,
  emailTokens,
  idSessions,
  loginChallenges,
  recoveryCodes,
} from "../../shared/db/cloud/schema.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { enqueueMail, isMailAddress } from "../mail/outbox.ts";
import { renderMail } from "../mail/templates.ts";
import { revokeAccountGrants } from "./oidc/tokens.ts";
import { dummyPasswordHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from "./password.ts";
import { matchTotpStep } from "./totp.ts";

export type Account = typeof accounts.$inferSelect;
export type EmailTokenKind = "verify_email" | "reset_password" | "change_email";

export const TOKEN_TTL_MS: Record<EmailTokenKind, number> = {
  verify_email: 24 * 3600_000,
  reset_password: 3600_000,
  change_email: 24 * 3600_000,
};
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const RECOVERY_CODE_COUNT = 10;

export class AccountError extends Error {
  override name = "AccountError";
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function idOrigin(deps: CloudDeps): string {
  return deps.id?.origin ?? `https://id.${deps.zone}`;
}

export async function findAccountByEmail(deps: CloudDeps, email: string): Promise<Account | undefined> {
  return (await deps.db.orm.select().from(accounts).where(eq(accounts.email, normalizeEmail(email))))[0];
}

export async function getAccount(deps: CloudDeps, id: string): Promise<Account | undefined> {
  return (await deps.db.orm.select().from(accounts).where(eq(accounts.id, id)))[0];
}

// ---------------------------------------------------------------------------------------------
// Sign-up

export type SignUpResult = { ok: true } | { ok: false; field: "email" | "password"; message: string };

/**
 * Creates an unverified account and mails a verification link. If the address already has an
 * account, mails that address instead (a reminder with a reset link) and answers the same.
 */
export async function signUp(deps: CloudDeps, rawEmail: string, password: string): Promise<SignUpResult> {
  const email = normalizeEmail(rawEmail);
  if (!isMailAddress(email)) return { ok: false, field: "email", message: "Enter a valid email address." };
  const problem = passwordProblem(password, email);
  if (problem) return { ok: false, field: "password", message: problem };
  const hash = await hashPassword(password);
  const existing = await findAccountByEmail(deps, email);
  if (existing) {
    if (existing.emailVerifiedAt == null) {
      await sendVerifyMail(deps, existing);
    } else {
      const link = await issueEmailToken(deps, existing.id, "reset_password");
      await mail(deps, email, {
        subject: "Someone tried to sign up with your address",
        heading: "You already have a Hearth account",
        intro: [
          "Someone (maybe you) tried to create a Hearth account with this email address. It already has one.",
          "If you forgot your password, you can choose a new one:",
        ],
        action: { label: "Reset password", url: `${idOrigin(deps)}/reset/${link}` },
        outro: ["If this wasn't you, you can ignore this message; nothing has changed."],
      });
    }
    return { ok: true };
  }
  const now = deps.now();
  const account: Account = {
    id: `acc_${randomToken(12)}`,
    email,
    emailVerifiedAt: null,
    passwordHash: hash,
    totpSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
    operatorSince: null,
    announcementsOffAt: null,
    createdAt: now,
    updatedAt: now,
  };
  // The unique index settles a race between two sign-ups for one address.
  const inserted = await deps.db.write(() =>
    deps.db.orm.insert(accounts).values(account).onConflictDoNothing().returning({ id: accounts.id })
  );
  if (inserted.length) await sendVerifyMail(deps, account);
  return { ok: true };
}

/** Creates a verified account directly (the dev set-up's seed for alice); no mail. */
export async function createVerifiedAccount(
  deps: CloudDeps,
  rawEmail: string,
  password: string,
): Promise<Account> {
  const email = normalizeEmail(rawEmail);
  if (!isMailAddress(email)) {
    throw new AccountError(`Cannot create account: "${rawEmail}" is not an email address`);
  }
  const now = deps.now();
  const account: Account = {
    id: `acc_${randomToken(12)}`,
    email,
    emailVerifiedAt: now,
    passwordHash: await hashPassword(password),
    totpSecret: null,
    totpEnabledAt: null,
    totpLastStep: null,
    operatorSince: null,
    announcementsOffAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.write(() => deps.db.orm.insert(accounts).values(account));
  return account;
}

export async function sendVerifyMail(deps: CloudDeps, account: Pick<Account, "id" | "email">): Promise<void> {
  const link = await issueEmailToken(deps, account.id, "verify_email");
  await mail(deps, account.email, {
    subject: "Confirm your email address for Hearth",
    heading: "Confirm your email address",
    intro: ["Welcome to Hearth. Confirm that this address is yours to finish creating your account."],
    action: { label: "Confirm email address", url: `${idOrigin(deps)}/verify/${link}` },
    outro: ["The link works once, within 24 hours. If you didn't sign up, ignore this message."],
  });
}

/** Mails a reset link when the address has an account; silent otherwise. */
export async function requestPasswordReset(deps: CloudDeps, rawEmail: string): Promise<void> {
  const account = await findAccountByEmail(deps, rawEmail);
  if (!account) return;
  const link = await issueEmailToken(deps, account.id, "reset_password");
  await mail(deps, account.email, {
    subject: "Reset your Hearth password",
    heading: "Choose a new password",
    intro: ["Someone (hopefully you) asked to reset the password of your Hearth account."],
    action: { label: "Choose a new password", url: `${idOrigin(deps)}/reset/${link}` },
    outro: ["The link works once, within an hour. If you didn't ask, ignore this message; nothing changes."],
  });
}

async function mail(deps: CloudDeps, to: string, t: Parameters<typeof renderMail>[0]): Promise<void> {
  await enqueueMail(deps, { to, ...renderMail(t) });
}

// ---------------------------------------------------------------------------------------------
// Mailed single-use tokens: `<id>.<secret>`, only SHA-256(secret) stored

export async function issueEmailToken(
  deps: CloudDeps,
  accountId: string,
  kind: EmailTokenKind,
  newEmail?: string,
): Promise<string> {
  const id = randomToken(12);
  const secret = randomToken(32);
  const secretHash = await sha256Hex(secret);
  await deps.db.write(() =>
    deps.db.orm.insert(emailTokens).values({
      id,
      accountId,
      kind,
      secretHash,
      newEmail: newEmail ?? null,
      expiresAt: deps.now() + TOKEN_TTL_MS[kind],
    })
  );
  return `${id}.${secret}`;
}

export type TokenCheck =
  | { ok: true; id: string; accountId: string; newEmail: string | null }
  | { ok: false; reason: "invalid" | "used" | "expired" };

/** Looks a token up without using it (the reset page's GET). */
export async function checkEmailToken(
  deps: CloudDeps,
  token: string,
  kind: EmailTokenKind,
): Promise<TokenCheck> {
  const m = /^([A-Za-z0-9_-]{8,40})\.([A-Za-z0-9_-]{20,80})$/.exec(token);
  if (!m) return { ok: false, reason: "invalid" };
  const row = (await deps.db.orm.select().from(emailTokens).where(eq(emailTokens.id, m[1])))[0];
  if (!row || row.kind !== kind || !constantTimeEqual(await sha256Hex(m[2]), row.secretHash)) {
    return { ok: false, reason: "invalid" };
  }
  if (row.usedAt != null) return { ok: false, reason: "used" };
  if (row.expiresAt <= deps.now()) return { ok: false, reason: "expired" };
  return { ok: true, id: row.id, accountId: row.accountId, newEmail: row.newEmail };
}

/** Checks and burns a token in one UPDATE … RETURNING, so two clicks cannot both use it. */
export async function useEmailToken(
  deps: CloudDeps,
  token: string,
  kind: EmailTokenKind,
): Promise<TokenCheck> {
  const check = await checkEmailToken(deps, token, kind);
  if (!check.ok) return check;
  const now = deps.now();
  const burned = await deps.db.write(() =>
    deps.db.orm.update(emailTokens).set({ usedAt: now })
      .where(and(eq(emailTokens.id, check.id), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
      .returning({ id: emailTokens.id })
  );
  return burned.length ? check : { ok: false, reason: "used" };
}

export async function verifyEmail(deps: CloudDeps, token: string): Promise<TokenCheck> {
  const t = await useEmailToken(deps, token, "verify_email");
  if (t.ok) {
    await deps.db.write(() =>
      deps.db.orm.update(accounts).set({ emailVerifiedAt: deps.now(), updatedAt: deps.now() })
        .where(and(eq(accounts.id, t.accountId), isNull(accounts.emailVerifiedAt)))
    );
  }
  return t;
}

/** Sets a new password with a reset link; ends every session; the link also proves the address. */
export async function resetPassword(
  deps: CloudDeps,
  token: string,
  password: string,
): Promise<TokenCheck | { ok: false; reason: "weak"; message: string }> {
  const check = await checkEmailToken(deps, token, "reset_password");
  if (!check.ok) return check;
  const account = await getAccount(deps, check.accountId);
  const problem = passwordProblem(password, account?.email);
  if (problem) return { ok: false, reason: "weak", message: problem };
  const hash = await hashPassword(password);
  const t = await useEmailToken(deps, token, "reset_password");
  if (!t.ok) return t;
  const now = deps.now();
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.update(accounts).set({
        passwordHash: hash,
        emailVerifiedAt: sql`coalesce(${accounts.emailVerifiedAt}, ${now})`,
        updatedAt: now,
      }).where(eq(accounts.id, t.accountId)),
      deps.db.orm.delete(idSessions).where(eq(idSessions.accountId, t.accountId)),
      deps.db.orm.delete(loginChallenges).where(eq(loginChallenges.accountId, t.accountId)),
    ])
  );
  await revokeAccountGrants(deps, t.accountId, "password reset");
  return t;
}

// ---------------------------------------------------------------------------------------------
// Login

export type PasswordCheck =
  | { ok: true; account: Account }
  | { ok: false; reason: "wrong" | "unverified"; account?: Account };

/** Checks email + password in time independent of whether the account exists; re-hashes old hashes. */
export async function checkPassword(
  deps: CloudDeps,
  rawEmail: string,
  password: string,
): Promise<PasswordCheck> {
  const account = await findAccountByEmail(deps, rawEmail);
  const hash = account?.passwordHash ?? await dummyPasswordHash();
  const good = await verifyPassword(password.slice(0, 1024), hash);
  if (!account || !good) return { ok: false, reason: "wrong" };
  if (needsRehash(account.passwordHash)) {
    const fresh = await hashPassword(password);
    await deps.db.write(() =>
      deps.db.orm.update(accounts).set({ passwordHash: fresh }).where(eq(accounts.id, account.id))
    );
    deps.log.info("password re-hashed with current parameters", { accountId: account.id });
  }
  if (account.emailVerifiedAt == null) return { ok: false, reason: "unverified", account };
  return { ok: true, account };
}

/** Starts the TOTP step after a right password; returns the cookie value `<id>.<secret>`. */
export async function createChallenge(deps: CloudDeps, accountId: string, returnTo: string): Promise<string> {
  const id = randomToken(12);
  const secret = randomToken(32);
  const now = deps.now();
  const secretHash = await sha256Hex(secret);
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.delete(loginChallenges).where(lte(loginChallenges.expiresAt, now)),
      deps.db.orm.insert(loginChallenges).values({
        id,
        accountId,
        secretHash,
        returnTo,
        expiresAt: now + CHALLENGE_TTL_MS,
      }),
    ])
  );
  return `${id}.${secret}`;
}

export async function findChallenge(
  deps: CloudDeps,
  value: string | undefined,
): Promise<{ id: string; account: Account; returnTo: string } | null> {
  const m = value ? /^([A-Za-z0-9_-]{8,40})\.([A-Za-z0-9_-]{20,80})$/.exec(value) : null;
  if (!m) return null;
  const row = (await deps.db.orm.select().from(loginChallenges).where(eq(loginChallenges.id, m[1])))[0];
  if (!row || row.expiresAt <= deps.now() || !constantTimeEqual(await sha256Hex(m[2]), row.secretHash)) {
    return null;
  }
  const account = await getAccount(deps, row.accountId);
  return account ? { id: row.id, account, returnTo: row.returnTo } : null;
}

export async function deleteChallenge(deps: CloudDeps, id: string): Promise<void> {
  await deps.db.write(() => deps.db.orm.delete(loginChallenges).where(eq(loginChallenges.id, id)));
}

/**
 * Accepts a TOTP code once: the step must be later than the last accepted one, recorded by one
 * conditional UPDATE so two requests with the same code cannot both pass.
 */
export async function acceptTotp(deps: CloudDeps, account: Account, code: string): Promise<boolean> {
  return (await checkTotp(deps, account, code)) === "ok";
}

/** Like acceptTotp, saying why a code failed: not the app's code at all, or one already used. */
export async function checkTotp(
  deps: CloudDeps,
  account: Account,
  code: string,
): Promise<"ok" | "wrong" | "used"> {
  if (!account.totpSecret) return "wrong";
  const step = matchTotpStep(account.totpSecret, code, deps.now());
  if (step === null) return "wrong";
  const rows = await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ totpLastStep: step })
      .where(and(
        eq(accounts.id, account.id),
        or(isNull(accounts.totpLastStep), sql`${accounts.totpLastStep} < ${step}`),
      ))
      .returning({ id: accounts.id })
  );
  return rows.length === 1 ? "ok" : "used";
}

// ---------------------------------------------------------------------------------------------
// TOTP enrolment and recovery codes

/** Starts (or restarts) enrolment with a fresh secret, unless TOTP is already on. */
export async function startTotpEnrolment(deps: CloudDeps, accountId: string, secret: string): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ totpSecret: secret, updatedAt: deps.now() })
      .where(and(eq(accounts.id, accountId), isNull(accounts.totpEnabledAt)))
  );
}

/** Confirms enrolment with a first code; returns the ten recovery codes (shown once) or null. */
export async function confirmTotpEnrolment(
  deps: CloudDeps,
  accountId: string,
  code: string,
): Promise<string[] | null> {
  const account = await getAccount(deps, accountId);
  if (!account?.totpSecret || account.totpEnabledAt != null) return null;
  if (!(await acceptTotp(deps, account, code))) return null;
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ totpEnabledAt: deps.now(), updatedAt: deps.now() })
      .where(eq(accounts.id, accountId))
  );
  return await newRecoveryCodes(deps, accountId);
}

export async function disableTotp(deps: CloudDeps, accountId: string): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.update(accounts).set({ totpSecret: null, totpEnabledAt: null, updatedAt: deps.now() })
        .where(eq(accounts.id, accountId)),
      deps.db.orm.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId)),
    ])
  );
}

const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function recoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normalizeRecoveryCode(code: string): string {
  const c = code.toLowerCase().replace(/[^a-z0-9]/g, "");
  return c.length === 10 ? `${c.slice(0, 5)}-${c.slice(5)}` : c;
}

/** Replaces the account's recovery codes with ten fresh ones (stored as SHA-256). */
export async function newRecoveryCodes(deps: CloudDeps, accountId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  const hashes = await Promise.all(codes.map((c) => sha256Hex(`recovery:${c}`)));
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId)),
      deps.db.orm.insert(recoveryCodes).values(hashes.map((codeHash) => ({ accountId, codeHash }))),
    ])
  );
  return codes;
}

/** Uses a recovery code once. */
export async function useRecoveryCode(deps: CloudDeps, accountId: string, code: string): Promise<boolean> {
  const codeHash = await sha256Hex(`recovery:${normalizeRecoveryCode(code)}`);
  const rows = await deps.db.write(() =>
    deps.db.orm.update(recoveryCodes).set({ usedAt: deps.now() })
      .where(and(
        eq(recoveryCodes.accountId, accountId),
        eq(recoveryCodes.codeHash, codeHash),
        isNull(recoveryCodes.usedAt),
      ))
      .returning({ id: recoveryCodes.id })
  );
  return rows.length > 0;
}

export async function remainingRecoveryCodes(deps: CloudDeps, accountId: string): Promise<number> {
  const rows = await deps.db.orm.select({ n: sql<number>`count(*)` }).from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)));
  return Number(rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Changing password and email

export async function changePassword(
  deps: CloudDeps,
  account: Account,
  current: string,
  next: string,
  keepSession: string,
): Promise<{ ok: true } | { ok: false; field: "current" | "password"; message: string }> {
  if (!(await verifyPassword(current.slice(0, 1024), account.passwordHash))) {
    return { ok: false, field: "current", message: "That isn't your current password." };
  }
  const problem = passwordProblem(next, account.email);
  if (problem) return { ok: false, field: "password", message: problem };
  const hash = await hashPassword(next);
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.update(accounts).set({ passwordHash: hash, updatedAt: deps.now() })
        .where(eq(accounts.id, account.id)),
      deps.db.orm.delete(idSessions).where(
        and(eq(idSessions.accountId, account.id), sql`${idSessions.id} <> ${keepSession}`),
      ),
    ])
  );
  await revokeAccountGrants(deps, account.id, "password changed");
  await mail(deps, account.email, {
    subject: "Your Hearth password was changed",
    heading: "Your password was changed",
    intro: ["The password of your Hearth account was just changed, and your other sessions were signed out."],
    outro: ["If this wasn't you, reset your password right away from the sign-in page."],
  });
  return { ok: true };
}

/** Mails a confirmation link to the new address; the email changes when it is opened. */
export async function requestEmailChange(
  deps: CloudDeps,
  account: Account,
  rawNewEmail: string,
  password: string,
): Promise<{ ok: true } | { ok: false; field: "email" | "current"; message: string }> {
  const email = normalizeEmail(rawNewEmail);
  if (!isMailAddress(email)) return { ok: false, field: "email", message: "Enter a valid email address." };
  if (!(await verifyPassword(password.slice(0, 1024), account.passwordHash))) {
    return { ok: false, field: "current", message: "That isn't your current password." };
  }
  if (email === account.email) return { ok: false, field: "email", message: "That is already your address." };
  // Whether the new address is taken is only revealed by the link failing, to its owner.
  const link = await issueEmailToken(deps, account.id, "change_email", email);
  await mail(deps, email, {
    subject: "Confirm your new email address for Hearth",
    heading: "Confirm your new email address",
    intro: [`Open this link to use ${email} for your Hearth account from now on.`],
    action: { label: "Confirm new address", url: `${idOrigin(deps)}/email/confirm/${link}` },
    outro: ["The link works once, within 24 hours. If you didn't ask for this, ignore this message."],
  });
  return { ok: true };
}

export async function confirmEmailChange(
  deps: CloudDeps,
  token: string,
): Promise<TokenCheck | { ok: false; reason: "taken" }> {
  const t = await useEmailToken(deps, token, "change_email");
  if (!t.ok || !t.newEmail) return t.ok ? { ok: false, reason: "invalid" } : t;
  const before = await getAccount(deps, t.accountId);
  try {
    await deps.db.write(() =>
      deps.db.orm.update(accounts).set({
        email: t.newEmail!,
        emailVerifiedAt: deps.now(),
        updatedAt: deps.now(),
      })
        .where(eq(accounts.id, t.accountId))
    );
  } catch (err) {
    if (/UNIQUE/i.test(String((err as Error).message) + String((err as { cause?: Error }).cause?.message))) {
      return { ok: false, reason: "taken" };
    }
    throw err;
  }
  if (before) {
    await mail(deps, before.email, {
      subject: "Your Hearth email address was changed",
      heading: "Your email address was changed",
      intro: [`Your Hearth account now uses ${t.newEmail}. Mail about it will go there.`],
      outro: ["If this wasn't you, contact your Hearth operator."],
    });
  }
  return t;
}

export async function listSessions(deps: CloudDeps, accountId: string) {
  return await deps.db.orm.select().from(idSessions).where(
    and(eq(idSessions.accountId, accountId), gt(idSessions.expiresAt, deps.now())),
  ).orderBy(sql`${idSessions.lastSeenAt} desc`);
}

/** Announcements on or off (security mail is not affected). */
export async function setAnnouncements(deps: CloudDeps, accountId: string, on: boolean): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ announcementsOffAt: on ? null : deps.now(), updatedAt: deps.now() })
      .where(eq(accounts.id, accountId))
  );
}

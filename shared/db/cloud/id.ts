/** IdCloud's tables: accounts, sessions, mailed tokens, recovery codes, server registration tokens. */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  /** Lower-cased. */
  email: text("email").notNull().unique(),
  emailVerifiedAt: integer("email_verified_at"),
  /** argon2id encoded string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
  passwordHash: text("password_hash").notNull(),
  /** Base32 TOTP secret once enrolment started; `totpEnabledAt` once confirmed by a first code. */
  totpSecret: text("totp_secret"),
  totpEnabledAt: integer("totp_enabled_at"),
  /** The last TOTP time step accepted, so a code works once. */
  totpLastStep: integer("totp_last_step"),
  /** Set by the `grant-operator` command (never self-service): the account may use the console. */
  operatorSince: integer("operator_since"),
  /** Set when the account unsubscribed from announcements (RFC 8058 one-click); security mail still goes. */
  announcementsOffAt: integer("announcements_off_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Lucia-style sessions: the cookie carries `id.secret`; only SHA-256(secret) is stored. */
export const idSessions = sqliteTable("id_sessions", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  secretHash: text("secret_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  /** When the password (and TOTP, if enrolled) were last checked: OIDC `auth_time`. */
  authTime: integer("auth_time").notNull(),
  userAgent: text("user_agent").notNull().default(""),
  ip: text("ip").notNull().default(""),
}, (t) => [index("id_sessions_account").on(t.accountId)]);

/** Single-use mailed links: email verification, password reset, email change. */
export const emailTokens = sqliteTable("email_tokens", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  kind: text("kind", { enum: ["verify_email", "reset_password", "change_email"] }).notNull(),
  secretHash: text("secret_hash").notNull(),
  /** For change_email: the address being confirmed. */
  newEmail: text("new_email"),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
}, (t) => [index("email_tokens_account").on(t.accountId)]);

/** Ten single-use recovery codes per account, stored hashed. */
export const recoveryCodes = sqliteTable("recovery_codes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  accountId: text("account_id").notNull(),
  codeHash: text("code_hash").notNull(),
  usedAt: integer("used_at"),
}, (t) => [index("recovery_codes_account").on(t.accountId)]);

/** One-time tokens with which a user server registers the name its owner claimed. */
export const registrationTokens = sqliteTable("registration_tokens", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  name: text("name").notNull(),
  secretHash: text("secret_hash").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  serverId: text("server_id"),
}, (t) => [index("registration_tokens_account").on(t.accountId)]);

/**
 * A password checked, TOTP still to come: the browser holds `id.secret` in a short-lived
 * `__Host-` cookie; only SHA-256(secret) is stored. Becomes a session once the code is right.
 */
export const loginChallenges = sqliteTable("login_challenges", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  secretHash: text("secret_hash").notNull(),
  /** Where the browser goes after login (a same-origin path). */
  returnTo: text("return_to").notNull().default("/account"),
  expiresAt: integer("expires_at").notNull(),
}, (t) => [index("login_challenges_account").on(t.accountId)]);

/**
 * A user server's challenge for a browser on its own machine (issue #21): made by the server
 * (a signed request), confirmed by its owner signed in here, read once by the server.
 */
export const localChallenges = sqliteTable("local_challenges", {
  id: text("id").primaryKey(),
  serverId: text("server_id").notNull(),
  /** `https://local.<name>.<zone>[:port]/local/return`: where the confirmed browser goes. */
  returnTo: text("return_to").notNull(),
  expiresAt: integer("expires_at").notNull(),
  /** The account that confirmed it (the server's owner), once confirmed. */
  confirmedBy: text("confirmed_by"),
});

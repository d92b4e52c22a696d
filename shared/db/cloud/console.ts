/** The operators' console: their API tokens and the audit log of every operator action. */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Bearer tokens for scripts reading the console's JSON (`Authorization: Bearer <id>.<secret>`);
 * only SHA-256(secret) is stored. A token works only while its account holds the operator role.
 */
export const operatorTokens = sqliteTable("operator_tokens", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  secretHash: text("secret_hash").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * Who did what, when and why: every operator action, readable by the account it affected
 * (IdCloud's account page) — operators are accountable (ARCHITECTURE.md invariant 11).
 */
export const auditLog = sqliteTable("audit_log", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  at: integer("at").notNull(),
  /** The operator's account and its email at the time (kept if the account changes later). */
  actorAccountId: text("actor_account_id"),
  actorEmail: text("actor_email").notNull(),
  action: text("action", {
    enum: ["suspend", "unsuspend", "deregister", "grant_operator", "revoke_operator", "announce"],
  }).notNull(),
  /** The account the action affected (its owner reads the entry), if any. */
  accountId: text("account_id"),
  serverId: text("server_id"),
  serverName: text("server_name"),
  reasonCode: text("reason_code"),
  note: text("note").notNull().default(""),
}, (t) => [index("audit_log_account").on(t.accountId, t.at)]);

/**
 * Metering: bytes and browser connections per server and relay, as relays report them with their
 * heartbeats. Hourly rows (`period` "hour", `start` on the hour) are kept for 30 days, then folded
 * into daily rows ("day", `start` at 00:00 UTC) by a job — volumes and times only, never contents.
 */
export const usage = sqliteTable(
  "usage",
  {
    serverId: text("server_id").notNull(),
    relayId: text("relay_id").notNull(),
    period: text("period", { enum: ["hour", "day"] }).notNull(),
    start: integer("start").notNull(),
    bytes: integer("bytes").notNull().default(0),
    connections: integer("connections").notNull().default(0),
  },
  (
    t,
  ) => [
    primaryKey({ columns: [t.serverId, t.relayId, t.period, t.start] }),
    index("usage_start").on(t.period, t.start),
  ],
);

/** Announcements sent by operators: what, to whom (the filter), by whom, how many recipients. */
export const announcements = sqliteTable("announcements", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  /** The recipient filter as JSON (edge/console/announcements.ts `AudienceFilter`). */
  filter: text("filter").notNull(),
  actorEmail: text("actor_email").notNull(),
  recipients: integer("recipients").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * One-click unsubscribe links (RFC 8058) in announcement mail: `<id>.<secret>` in the URL, only
 * SHA-256(secret) stored; one per recipient and announcement. Using one turns announcements off.
 */
export const unsubscribeTokens = sqliteTable("unsubscribe_tokens", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  secretHash: text("secret_hash").notNull(),
  createdAt: integer("created_at").notNull(),
});

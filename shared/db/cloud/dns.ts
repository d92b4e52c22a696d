/** DNSCloud's own state: ACME DNS-01 challenge values (everything else comes from RegCloud's tables). */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** `_acme-challenge.<name>` TXT values; several may exist at once, as ACME needs. */
export const acmeChallenges = sqliteTable("acme_challenges", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  serverId: text("server_id").notNull(),
  /** The owner name the challenge is for: `<user>.<zone>` or `local.<user>.<zone>`. */
  fqdn: text("fqdn").notNull(),
  value: text("value").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Values are removed when cleared, or after this time (stale ACME attempts). */
  expiresAt: integer("expires_at").notNull(),
}, (t) => [index("acme_challenges_fqdn").on(t.fqdn)]);

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

/**
 * DNS fronts (`edge/dns/server.ts`): each authenticates to RegCloud's snapshot endpoint with its
 * own bearer credential `<id>.<secret>` (only SHA-256(secret) is kept here) and is one of the
 * zone's name servers: NS `<hostName>` with A/AAAA `addresses`.
 */
export const dnsFronts = sqliteTable("dns_fronts", {
  id: text("id").primaryKey(),
  /** Its name in the zone's NS set, e.g. `ns1.hearth.localhost`. */
  hostName: text("host_name").notNull().unique(),
  /** JSON array of the IP addresses it answers on (glue for the NS records). */
  addresses: text("addresses").notNull().default("[]"),
  credentialHash: text("credential_hash").notNull(),
  /** Last snapshot fetch, for the operator's status. */
  lastSeenAt: integer("last_seen_at"),
  createdAt: integer("created_at").notNull(),
});

/** RegCloud's tables: relays, user servers, attach nonces, tunnels, and shared throttles. */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Relays (ETCloud), each with its own credential; liveness and load come from heartbeats. */
export const relays = sqliteTable("relays", {
  id: text("id").primaryKey(),
  /** Its own DNS name, e.g. `relay-a.hearth.localhost`: the tunnel port's SNI and certificate. */
  hostName: text("host_name").notNull().unique(),
  /** `host:port` of the TLS tunnel port that user servers dial. */
  tunnelAddress: text("tunnel_address").notNull(),
  /** JSON array of the browser-facing IP addresses (DNS answers). */
  browserAddresses: text("browser_addresses").notNull().default("[]"),
  browserPort: integer("browser_port").notNull().default(443),
  /** SHA-256 (hex) of the relay's bearer credential; the credential itself is never stored. */
  credentialHash: text("credential_hash").notNull(),
  lastHeartbeatAt: integer("last_heartbeat_at"),
  /** Set when 3 heartbeats were missed; cleared by the next heartbeat. */
  deadAt: integer("dead_at"),
  loadTunnels: integer("load_tunnels").notNull().default(0),
  loadStreams: integer("load_streams").notNull().default(0),
  loadBytesPerSecond: real("load_bytes_per_second").notNull().default(0),
  /** What the relay said in its last heartbeat: its software version and when its process started. */
  version: text("version"),
  startedAt: integer("started_at"),
  createdAt: integer("created_at").notNull(),
});

/** User servers, one per user name. */
export const servers = sqliteTable("servers", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** The server key's public half as a JWK (ECDSA P-256): verifies its signed requests. */
  publicKeyJwk: text("public_key_jwk").notNull(),
  /** Base32 TOTP secret (RFC 6238, 160 bits). */
  totpSecret: text("totp_secret").notNull(),
  accountId: text("account_id"),
  createdAt: integer("created_at").notNull(),
  /**
   * `active`; `suspended` (reversible: attaches refused, tunnels dropped, the name still answers
   * with relays); `deregistered` (attaches refused, NXDOMAIN). Set by operators (edge/console).
   */
  state: text("state", { enum: ["active", "suspended", "deregistered"] }).notNull().default("active"),
  /** The reason code of the last operator action on the state (edge/console/reasons.ts). */
  stateReason: text("state_reason"),
  stateChangedAt: integer("state_changed_at"),
});

/** One-time attach nonces, each bound to a (server, relay) pair. */
export const attachNonces = sqliteTable("attach_nonces", {
  nonce: text("nonce").primaryKey(),
  serverId: text("server_id").notNull(),
  relayId: text("relay_id").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
}, (t) => [index("attach_nonces_expires").on(t.expiresAt)]);

/** Tunnels that are up now (a row per server+relay). */
export const tunnels = sqliteTable("tunnels", {
  serverId: text("server_id").notNull(),
  relayId: text("relay_id").notNull(),
  remoteAddress: text("remote_address").notNull(),
  upAt: integer("up_at").notNull(),
}, (t) => [primaryKey({ columns: [t.serverId, t.relayId] })]);

/** The history of tunnel_up / tunnel_down events. */
export const tunnelEvents = sqliteTable("tunnel_events", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  serverId: text("server_id").notNull(),
  relayId: text("relay_id").notNull(),
  kind: text("kind", { enum: ["tunnel_up", "tunnel_down"] }).notNull(),
  remoteAddress: text("remote_address").notNull(),
  at: integer("at").notNull(),
}, (t) => [index("tunnel_events_server").on(t.serverId, t.at)]);

/**
 * Throttling state shared by every edge instance: a token bucket and a failure count with a
 * temporary ban per key (e.g. `attach-fail:server:<id>`).
 */
export const throttles = sqliteTable("throttles", {
  key: text("key").primaryKey(),
  tokens: real("tokens").notNull(),
  updatedAt: integer("updated_at").notNull(),
  failures: integer("failures").notNull().default(0),
  bannedUntil: integer("banned_until").notNull().default(0),
});

/**
 * IdCloud's OpenID Connect provider: clients, authorization codes, refresh-token families,
 * access tokens, remembered consents, signing keys and used client-assertion ids. Codes and
 * tokens are stored only as SHA-256 hex of their value.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Relying parties. A user server is a client bound to its `servers` row (`serverId`): its key is
 * the server key, its owner the server's account. Other clients carry a secret hash or a JWKS.
 */
export const oidcClients = sqliteTable("oidc_clients", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  serverId: text("server_id").unique(),
  /** JSON array of exact redirect URIs. */
  redirectUris: text("redirect_uris").notNull(),
  /** JSON array of exact post-logout redirect URIs. */
  postLogoutRedirectUris: text("post_logout_redirect_uris").notNull().default("[]"),
  tokenEndpointAuthMethod: text("token_endpoint_auth_method", {
    enum: ["private_key_jwt", "client_secret_basic", "client_secret_post", "none"],
  }).notNull(),
  /** SHA-256 hex of the client secret (secrets are 256-bit random, so a plain hash suffices). */
  secretHash: text("secret_hash"),
  /** JSON JWKS for `private_key_jwt` clients that are not user servers. */
  jwks: text("jwks"),
  idTokenSignedResponseAlg: text("id_token_signed_response_alg", { enum: ["RS256", "ES256"] }).notNull()
    .default("RS256"),
  createdAt: integer("created_at").notNull(),
});

export const oidcCodes = sqliteTable("oidc_codes", {
  codeHash: text("code_hash").primaryKey(),
  clientId: text("client_id").notNull(),
  accountId: text("account_id").notNull(),
  redirectUri: text("redirect_uri").notNull(),
  scope: text("scope").notNull(),
  nonce: text("nonce"),
  codeChallenge: text("code_challenge").notNull(),
  /** Unix seconds. */
  authTime: integer("auth_time").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  /** The refresh-token family the exchange created: revoked if the code is presented again. */
  familyId: text("family_id"),
}, (t) => [index("oidc_codes_expires").on(t.expiresAt)]);

/** One family per code exchange; every refresh token rotated from it belongs to it. */
export const oidcGrants = sqliteTable("oidc_grants", {
  id: text("id").primaryKey(),
  clientId: text("client_id").notNull(),
  accountId: text("account_id").notNull(),
  scope: text("scope").notNull(),
  authTime: integer("auth_time").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Absolute end of the family. */
  expiresAt: integer("expires_at").notNull(),
  revokedAt: integer("revoked_at"),
  revokedReason: text("revoked_reason"),
}, (t) => [index("oidc_grants_account").on(t.accountId)]);

export const oidcRefreshTokens = sqliteTable("oidc_refresh_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  grantId: text("grant_id").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  /** Set when rotated: presenting it again is reuse and revokes the family. */
  usedAt: integer("used_at"),
}, (t) => [index("oidc_refresh_tokens_grant").on(t.grantId)]);

export const oidcAccessTokens = sqliteTable("oidc_access_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  grantId: text("grant_id").notNull(),
  expiresAt: integer("expires_at").notNull(),
  revokedAt: integer("revoked_at"),
}, (t) => [index("oidc_access_tokens_grant").on(t.grantId)]);

/** Consent remembered per (account, client): the scopes granted. */
export const oidcConsents = sqliteTable("oidc_consents", {
  accountId: text("account_id").notNull(),
  clientId: text("client_id").notNull(),
  scope: text("scope").notNull(),
  grantedAt: integer("granted_at").notNull(),
}, (t) => [primaryKey({ columns: [t.accountId, t.clientId] })]);

/**
 * Signing keys. The newest unretired key of each algorithm signs; a retired key stays in the
 * JWKS until `expiresAt` (the overlap), so tokens signed before a rotation still verify.
 */
export const oidcSigningKeys = sqliteTable("oidc_signing_keys", {
  kid: text("kid").primaryKey(),
  alg: text("alg", { enum: ["RS256", "ES256"] }).notNull(),
  privateJwk: text("private_jwk").notNull(),
  publicJwk: text("public_jwk").notNull(),
  createdAt: integer("created_at").notNull(),
  retiredAt: integer("retired_at"),
  expiresAt: integer("expires_at"),
});

/** `jti`s of client assertions already accepted (single use until they expire). */
export const oidcAssertionJtis = sqliteTable("oidc_assertion_jtis", {
  key: text("key").primaryKey(),
  expiresAt: integer("expires_at").notNull(),
}, (t) => [index("oidc_assertion_jtis_expires").on(t.expiresAt)]);

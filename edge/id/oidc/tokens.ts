/**
 * Authorization codes, access tokens, refresh-token families and id_tokens.
 *
 * Codes are single-use and live `CODE_TTL_MS`; a code presented twice revokes what its first
 * exchange issued (RFC 6749 §4.1.2). Each exchange starts a grant (a refresh-token family);
 * refreshing rotates the refresh token, and presenting a rotated one again is reuse: the whole
 * family and its access tokens are revoked. Codes and tokens are random 256-bit values stored
 * only as SHA-256 hex.
 */
import { and, eq, gt, inArray, isNull, lte } from "drizzle-orm";
import { SignJWT } from "jose";
import {
  accounts,
  oidcAccessTokens,
  oidcCodes,
  oidcGrants,
  oidcRefreshTokens,
  servers,
} from "../../../shared/db/cloud/schema.ts";
import { base64url, constantTimeEqual, randomToken, sha256, sha256Hex } from "../../../shared/crypto/mod.ts";
import type { CloudDeps } from "../../deps.ts";
import type { Client } from "./clients.ts";
import { OAuthError } from "./errors.ts";
import { currentSigningKey } from "./keys.ts";

export const CODE_TTL_MS = 60_000;
export const ACCESS_TOKEN_TTL_S = 900;
export const ID_TOKEN_TTL_S = 600;
/** A refresh token unused this long expires; the family ends at `GRANT_TTL_MS` regardless. */
export const REFRESH_TTL_MS = 30 * 24 * 3600_000;
export const GRANT_TTL_MS = 90 * 24 * 3600_000;

export interface CodeRequest {
  clientId: string;
  accountId: string;
  redirectUri: string;
  scope: string;
  nonce: string | null;
  codeChallenge: string;
  /** Unix seconds. */
  authTime: number;
}

export async function issueCode(deps: CloudDeps, req: CodeRequest): Promise<string> {
  const code = randomToken(32);
  const now = deps.now();
  const codeHash = await sha256Hex(code);
  await deps.db.write(async () => {
    await deps.db.orm.delete(oidcCodes).where(lte(oidcCodes.expiresAt, now - 24 * 3600_000));
    await deps.db.orm.insert(oidcCodes).values({ codeHash, ...req, expiresAt: now + CODE_TTL_MS });
  });
  return code;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  /** Only when the grant's scope holds `offline_access` (OIDC Core §11). */
  refresh_token?: string;
  id_token: string;
  scope: string;
}

/** `grant_type=authorization_code`. */
export async function exchangeCode(
  deps: CloudDeps,
  client: Client,
  { code, redirectUri, codeVerifier, issuer }: {
    code: string;
    redirectUri: string | null;
    codeVerifier: string | null;
    issuer: string;
  },
): Promise<TokenResponse> {
  const now = deps.now();
  const codeHash = await sha256Hex(code);
  // Burn the code first, in one statement: of two racing exchanges only one gets the row.
  const claimed = await deps.db.write(() =>
    deps.db.orm.update(oidcCodes).set({ usedAt: now })
      .where(and(eq(oidcCodes.codeHash, codeHash), isNull(oidcCodes.usedAt)))
      .returning()
  );
  const row = claimed[0];
  if (!row) {
    const used = (await deps.db.orm.select().from(oidcCodes).where(eq(oidcCodes.codeHash, codeHash)))[0];
    if (used?.familyId && used.clientId === client.id) {
      await revokeGrant(deps, used.familyId, "authorization code reused");
    }
    throw new OAuthError(
      "invalid_grant",
      used ? "Authorization code was already used" : "Unknown authorization code",
    );
  }
  if (row.clientId !== client.id) {
    throw new OAuthError("invalid_grant", "Authorization code was issued to another client");
  }
  if (now >= row.expiresAt) throw new OAuthError("invalid_grant", "Authorization code has expired");
  if (redirectUri !== row.redirectUri) {
    throw new OAuthError(
      "invalid_grant",
      `redirect_uri "${redirectUri ?? ""}" is not the one the code was issued for`,
    );
  }
  if (!codeVerifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) {
    throw new OAuthError("invalid_grant", "code_verifier is missing or malformed");
  }
  if (!constantTimeEqual(base64url(await sha256(codeVerifier)), row.codeChallenge)) {
    throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
  }
  const grantId = `gr_${randomToken(12)}`;
  await deps.db.write(async () => {
    await deps.db.orm.insert(oidcGrants).values({
      id: grantId,
      clientId: client.id,
      accountId: row.accountId,
      scope: row.scope,
      authTime: row.authTime,
      createdAt: now,
      expiresAt: now + GRANT_TTL_MS,
    });
    await deps.db.orm.update(oidcCodes).set({ familyId: grantId }).where(eq(oidcCodes.codeHash, codeHash));
  });
  return await issueTokens(deps, client, {
    grantId,
    accountId: row.accountId,
    scope: row.scope,
    authTime: row.authTime,
    nonce: row.nonce,
    issuer,
  });
}

/** `grant_type=refresh_token`, with rotation and reuse detection. */
export async function refreshTokens(
  deps: CloudDeps,
  client: Client,
  { refreshToken, scope, issuer }: { refreshToken: string; scope: string | null; issuer: string },
): Promise<TokenResponse> {
  const now = deps.now();
  const tokenHash = await sha256Hex(refreshToken);
  const found = (await deps.db.orm.select({ t: oidcRefreshTokens, g: oidcGrants }).from(oidcRefreshTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcRefreshTokens.grantId))
    .where(eq(oidcRefreshTokens.tokenHash, tokenHash)))[0];
  if (!found) throw new OAuthError("invalid_grant", "Unknown refresh token");
  const { t, g } = found;
  if (g.clientId !== client.id) {
    throw new OAuthError("invalid_grant", "Refresh token was issued to another client");
  }
  if (g.revokedAt !== null) throw new OAuthError("invalid_grant", "Refresh token was revoked");
  if (now >= t.expiresAt || now >= g.expiresAt) {
    throw new OAuthError("invalid_grant", "Refresh token has expired");
  }
  const rotated = await deps.db.write(() =>
    deps.db.orm.update(oidcRefreshTokens).set({ usedAt: now })
      .where(and(eq(oidcRefreshTokens.tokenHash, tokenHash), isNull(oidcRefreshTokens.usedAt)))
      .returning({ h: oidcRefreshTokens.tokenHash })
  );
  if (rotated.length === 0) {
    await revokeGrant(deps, g.id, "refresh token reused");
    throw new OAuthError(
      "invalid_grant",
      "Refresh token was already used: every token of this grant is revoked",
    );
  }
  let granted = g.scope;
  if (scope) {
    const have = new Set(g.scope.split(" "));
    const asked = scope.split(" ").filter(Boolean);
    const extra = asked.filter((s) => !have.has(s));
    if (extra.length) throw new OAuthError("invalid_scope", `Scope "${extra.join(" ")}" was not granted`);
    granted = asked.join(" ");
  }
  return await issueTokens(deps, client, {
    grantId: g.id,
    accountId: g.accountId,
    scope: granted,
    authTime: g.authTime,
    nonce: null,
    issuer,
  });
}

/** What tokens of one grant are issued from: the grant, whose they are, and the request's context. */
interface GrantContext {
  grantId: string;
  accountId: string;
  scope: string;
  authTime: number;
  nonce: string | null;
  issuer: string;
}

async function issueTokens(
  deps: CloudDeps,
  client: Client,
  o: GrantContext,
): Promise<TokenResponse> {
  const now = deps.now();
  const accessToken = randomToken(32);
  // A refresh token is access while the user is away: only when the client asked for it.
  const refreshToken = o.scope.split(" ").includes("offline_access") ? randomToken(32) : undefined;
  const aHash = await sha256Hex(accessToken);
  const access = deps.db.orm.insert(oidcAccessTokens).values({
    tokenHash: aHash,
    grantId: o.grantId,
    expiresAt: now + ACCESS_TOKEN_TTL_S * 1000,
  });
  if (refreshToken) {
    const refresh = deps.db.orm.insert(oidcRefreshTokens).values({
      tokenHash: await sha256Hex(refreshToken),
      grantId: o.grantId,
      createdAt: now,
      expiresAt: now + REFRESH_TTL_MS,
    });
    await deps.db.write(() => deps.db.orm.batch([access, refresh]));
  } else {
    await deps.db.write(() => access);
  }
  const idToken = await signIdToken(deps, client, o);
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_S,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    id_token: idToken,
    scope: o.scope,
  };
}

/** The claims IdCloud releases about an account to a client for a scope. */
export async function userClaims(
  deps: CloudDeps,
  client: Client,
  accountId: string,
  scope: string,
): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = { sub: accountId };
  const scopes = new Set(scope.split(" "));
  if (scopes.has("email")) {
    const a = (await deps.db.orm.select({ email: accounts.email, verified: accounts.emailVerifiedAt })
      .from(accounts).where(eq(accounts.id, accountId)))[0];
    if (a) Object.assign(claims, { email: a.email, email_verified: a.verified !== null });
  }
  // A user server learns from its provider whether this account owns it, and which servers the
  // account owns: a friend signing in with their own account is recognised by their server's name.
  if (client.serverId) {
    claims.hearth_owner = client.ownerAccountId === accountId;
    claims.hearth_servers = (await deps.db.orm.select({ name: servers.name }).from(servers)
      .where(eq(servers.accountId, accountId))).map((s) => s.name).sort();
  }
  return claims;
}

export async function signIdToken(
  deps: CloudDeps,
  client: Client,
  o: GrantContext,
): Promise<string> {
  const key = await currentSigningKey(deps, client.idTokenAlg);
  const nowS = Math.floor(deps.now() / 1000);
  const claims: Record<string, unknown> = {
    ...(await userClaims(deps, client, o.accountId, o.scope)),
    auth_time: o.authTime,
    azp: client.id,
    // The grant this token belongs to (OIDC Back-Channel Logout's `sid`); introspection names it too.
    sid: o.grantId,
  };
  if (o.nonce) claims.nonce = o.nonce;
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(o.issuer)
    .setSubject(o.accountId)
    .setAudience(client.id)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + ID_TOKEN_TTL_S)
    .sign(key.key);
}

/** Revokes a grant: its refresh tokens and access tokens stop working. */
export async function revokeGrant(deps: CloudDeps, grantId: string, reason: string): Promise<void> {
  await revokeGrants(deps, [grantId], reason);
  deps.log.info("oidc grant revoked", { grantId, reason });
}

async function revokeGrants(deps: CloudDeps, ids: string[], reason: string): Promise<void> {
  const now = deps.now();
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.update(oidcGrants).set({ revokedAt: now, revokedReason: reason })
        .where(and(inArray(oidcGrants.id, ids), isNull(oidcGrants.revokedAt))),
      deps.db.orm.update(oidcAccessTokens).set({ revokedAt: now })
        .where(and(inArray(oidcAccessTokens.grantId, ids), isNull(oidcAccessTokens.revokedAt))),
    ])
  );
}

/**
 * Revokes every live grant of an account (a password change or reset): its refresh and access
 * tokens stop working. A user server learns it at its next token use (userinfo answers
 * `invalid_token`, a refresh `invalid_grant`); see README "Revocation".
 */
export async function revokeAccountGrants(deps: CloudDeps, accountId: string, reason: string): Promise<void> {
  const live = and(eq(oidcGrants.accountId, accountId), isNull(oidcGrants.revokedAt));
  const ids = (await deps.db.orm.select({ id: oidcGrants.id }).from(oidcGrants).where(live)).map((g) => g.id);
  if (!ids.length) return;
  await revokeGrants(deps, ids, reason);
  deps.log.info("oidc grants revoked", { accountId, count: ids.length, reason });
}

export interface AccessTokenInfo {
  accountId: string;
  clientId: string;
  scope: string;
}

/** The account behind a valid access token, or null (unknown, expired, revoked). */
export async function validateAccessToken(deps: CloudDeps, token: string): Promise<AccessTokenInfo | null> {
  const now = deps.now();
  const row = (await deps.db.orm.select({ g: oidcGrants }).from(oidcAccessTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcAccessTokens.grantId))
    .where(and(
      eq(oidcAccessTokens.tokenHash, await sha256Hex(token)),
      isNull(oidcAccessTokens.revokedAt),
      gt(oidcAccessTokens.expiresAt, now),
      isNull(oidcGrants.revokedAt),
    )))[0];
  return row ? { accountId: row.g.accountId, clientId: row.g.clientId, scope: row.g.scope } : null;
}

/**
 * RFC 7009: revokes a refresh token (its whole grant) or an access token. An unknown token is
 * not an error; a token of another client is refused.
 */
export async function revokeToken(
  deps: CloudDeps,
  client: Client,
  token: string,
  hint: string | null,
): Promise<void> {
  if (hint !== null && hint !== "access_token" && hint !== "refresh_token") {
    throw new OAuthError("unsupported_token_type", `token_type_hint "${hint}" is not supported`);
  }
  const hash = await sha256Hex(token);
  const refresh = (await deps.db.orm.select({ g: oidcGrants }).from(oidcRefreshTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcRefreshTokens.grantId))
    .where(eq(oidcRefreshTokens.tokenHash, hash)))[0];
  if (refresh) {
    if (refresh.g.clientId !== client.id) {
      throw new OAuthError("invalid_request", "Token was issued to another client");
    }
    await revokeGrant(deps, refresh.g.id, "refresh token revoked by the client");
    return;
  }
  const access = (await deps.db.orm.select({ a: oidcAccessTokens, g: oidcGrants }).from(oidcAccessTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcAccessTokens.grantId))
    .where(eq(oidcAccessTokens.tokenHash, hash)))[0];
  if (access) {
    if (access.g.clientId !== client.id) {
      throw new OAuthError("invalid_request", "Token was issued to another client");
    }
    await deps.db.write(() =>
      deps.db.orm.update(oidcAccessTokens).set({ revokedAt: deps.now() }).where(
        eq(oidcAccessTokens.tokenHash, hash),
      )
    );
  }
}

/** An RFC 7662 answer: `{ active: false }` tells nothing more, whoever asks. */
export type Introspection =
  | { active: false }
  | {
    active: true;
    scope: string;
    client_id: string;
    sub: string;
    token_type: "Bearer" | "refresh_token";
    exp: number;
    iat?: number;
    /** The grant: the same value as the id_token's `sid`. */
    sid: string;
  };

/**
 * RFC 7662: is `token` (an access or refresh token of this client) live? A token is active while
 * it and its grant are neither revoked nor expired; a password change or reset revokes every grant
 * of the account, which is how a user server learns that its sessions must end. A token of another
 * client is reported inactive, as the RFC allows, so that nothing about it leaks.
 */
export async function introspectToken(
  deps: CloudDeps,
  client: Client,
  token: string,
  hint: string | null,
): Promise<Introspection> {
  const now = deps.now();
  const hash = await sha256Hex(token);
  const inactive = { active: false } as const;
  const live = (g: typeof oidcGrants.$inferSelect) =>
    g.clientId === client.id && g.revokedAt === null && now < g.expiresAt;
  if (hint !== "access_token") {
    const r = (await deps.db.orm.select({ t: oidcRefreshTokens, g: oidcGrants }).from(oidcRefreshTokens)
      .innerJoin(oidcGrants, eq(oidcGrants.id, oidcRefreshTokens.grantId))
      .where(eq(oidcRefreshTokens.tokenHash, hash)))[0];
    if (r) {
      // A rotated (used) refresh token is no longer the grant's: presenting it is not proof of anything.
      if (!live(r.g) || r.t.usedAt !== null || now >= r.t.expiresAt) return inactive;
      return {
        active: true,
        scope: r.g.scope,
        client_id: client.id,
        sub: r.g.accountId,
        token_type: "refresh_token",
        exp: Math.floor(Math.min(r.t.expiresAt, r.g.expiresAt) / 1000),
        iat: Math.floor(r.t.createdAt / 1000),
        sid: r.g.id,
      };
    }
  }
  const a = (await deps.db.orm.select({ a: oidcAccessTokens, g: oidcGrants }).from(oidcAccessTokens)
    .innerJoin(oidcGrants, eq(oidcGrants.id, oidcAccessTokens.grantId))
    .where(eq(oidcAccessTokens.tokenHash, hash)))[0];
  if (!a || !live(a.g) || a.a.revokedAt !== null || now >= a.a.expiresAt) return inactive;
  return {
    active: true,
    scope: a.g.scope,
    client_id: client.id,
    sub: a.g.accountId,
    token_type: "Bearer",
    exp: Math.floor(a.a.expiresAt / 1000),
    sid: a.g.id,
  };
}

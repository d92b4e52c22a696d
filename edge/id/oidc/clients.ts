/**
 * OIDC clients and their authentication at the token and revocation endpoints.
 *
 * A user server is a client whose id is its server id, whose redirect URI is derived from its
 * public origin (`https://<name>.<zone>[:port]/auth/callback`), and which authenticates with
 * `private_key_jwt` signed by its server key (the public half is `servers.public_key_jwk`), so
 * no client secret exists. Other clients use `client_secret_basic`, `client_secret_post`, a
 * JWKS of their own (`private_key_jwt`) or nothing (`none`, a public client; PKCE is always
 * required).
 */
import { eq } from "drizzle-orm";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JSONWebKeySet,
  jwtVerify,
} from "jose";
import { accounts, oidcClients, servers } from "../../../shared/db/cloud/schema.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../../shared/crypto/mod.ts";
import type { CloudDeps } from "../../deps.ts";
import { rememberJti } from "../../jti.ts";
import { OAuthError } from "./errors.ts";

export type AuthMethod = "private_key_jwt" | "client_secret_basic" | "client_secret_post" | "none";

export interface Client {
  id: string;
  name: string;
  serverId: string | null;
  /** For a user server: the account that owns it. */
  ownerAccountId: string | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  authMethod: AuthMethod;
  idTokenAlg: "RS256" | "ES256";
  secretHash: string | null;
  jwks: JSONWebKeySet | null;
  serverPublicJwk: JsonWebKey | null;
}

export class ClientRegistrationError extends Error {
  override name = "ClientRegistrationError";
}

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** A client assertion may not be valid for longer than this (its jti is kept until then). */
const MAX_ASSERTION_LIFETIME_S = 600;

export async function findClient(deps: CloudDeps, clientId: string): Promise<Client | null> {
  const rows = await deps.db.orm.select({ c: oidcClients, s: servers }).from(oidcClients)
    .leftJoin(servers, eq(servers.id, oidcClients.serverId))
    .where(eq(oidcClients.id, clientId));
  const row = rows[0];
  if (!row) return null;
  const { c, s } = row;
  if (c.serverId && !s) return null; // the server was deregistered: its client goes with it
  return {
    id: c.id,
    name: c.name,
    serverId: c.serverId,
    ownerAccountId: s?.accountId ?? null,
    redirectUris: JSON.parse(c.redirectUris),
    postLogoutRedirectUris: JSON.parse(c.postLogoutRedirectUris),
    authMethod: c.tokenEndpointAuthMethod,
    idTokenAlg: c.idTokenSignedResponseAlg,
    secretHash: c.secretHash,
    jwks: c.jwks ? JSON.parse(c.jwks) : null,
    serverPublicJwk: s ? JSON.parse(s.publicKeyJwk) : null,
  };
}

export interface TokenEndpointContext {
  issuer: string;
  /** The endpoint's own URL (also accepted as a client assertion's audience). */
  endpoint: string;
}

/**
 * Authenticates the client of a token-endpoint request with the method it registered; throws
 * `invalid_client` (401) otherwise.
 */
export async function authenticateClient(
  deps: CloudDeps,
  form: URLSearchParams,
  { authorization, issuer, endpoint }: TokenEndpointContext & { authorization?: string },
): Promise<Client> {
  let method: AuthMethod;
  let clientId: string | null = form.get("client_id");
  let secret: string | null = null;
  const assertion = form.get("client_assertion");
  if (authorization?.toLowerCase().startsWith("basic ")) {
    method = "client_secret_basic";
    const decoded = decodeBasic(authorization.slice(6).trim());
    if (clientId && clientId !== decoded.id) {
      throw new OAuthError("invalid_request", "client_id differs from the Authorization header's");
    }
    [clientId, secret] = [decoded.id, decoded.secret];
  } else if (assertion !== null) {
    method = "private_key_jwt";
    if (form.get("client_assertion_type") !== ASSERTION_TYPE) {
      throw new OAuthError("invalid_client", `client_assertion_type must be "${ASSERTION_TYPE}"`);
    }
    const iss = unverifiedClaim(assertion, "iss");
    if (clientId && clientId !== iss) {
      throw new OAuthError("invalid_client", "client_id differs from the assertion's iss");
    }
    clientId = iss;
  } else if (form.has("client_secret")) {
    method = "client_secret_post";
    secret = form.get("client_secret");
  } else {
    method = "none";
  }
  if (!clientId) throw new OAuthError("invalid_client", "No client authentication");
  const client = await findClient(deps, clientId);
  if (!client) throw new OAuthError("invalid_client", `Unknown client "${clientId}"`);
  if (client.authMethod !== method) {
    throw new OAuthError(
      "invalid_client",
      `Client "${clientId}" authenticates with ${client.authMethod}, not ${method}`,
    );
  }
  if (method === "client_secret_basic" || method === "client_secret_post") {
    const hash = await sha256Hex(secret ?? "");
    if (!client.secretHash || !constantTimeEqual(hash, client.secretHash)) {
      throw new OAuthError("invalid_client", `Wrong secret for client "${clientId}"`);
    }
  } else if (method === "private_key_jwt") {
    await verifyAssertion(deps, client, assertion!, { issuer, endpoint });
  }
  return client;
}

function decodeBasic(value: string): { id: string; secret: string } {
  let text: string;
  try {
    text = atob(value);
  } catch (cause) {
    throw new OAuthError("invalid_client", "Authorization: Basic is not base64", { cause });
  }
  const i = text.indexOf(":");
  if (i < 0) throw new OAuthError("invalid_client", "Authorization: Basic has no colon");
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: dec(text.slice(0, i)), secret: dec(text.slice(i + 1)) };
  } catch (cause) {
    throw new OAuthError("invalid_client", "Authorization: Basic is not form-encoded", { cause });
  }
}

function unverifiedClaim(jwt: string, claim: string): string {
  try {
    // Only to find the client whose key then verifies it (jose's decodeJwt checks nothing else).
    const v = decodeJwt(jwt)[claim];
    if (typeof v !== "string" || !v) throw new Error(`no ${claim}`);
    return v;
  } catch (cause) {
    throw new OAuthError("invalid_client", "client_assertion is not a JWT with an iss", { cause });
  }
}

async function verifyAssertion(
  deps: CloudDeps,
  client: Client,
  assertion: string,
  { issuer, endpoint }: TokenEndpointContext,
): Promise<void> {
  const nowS = Math.floor(deps.now() / 1000);
  let payload: Record<string, unknown>;
  try {
    decodeProtectedHeader(assertion);
    const options = {
      issuer: client.id,
      subject: client.id,
      audience: [issuer, endpoint, `${issuer}/`],
      requiredClaims: ["exp", "jti"],
      currentDate: new Date(nowS * 1000),
      clockTolerance: 5,
    };
    if (client.serverPublicJwk) {
      const key = await importJWK(
        { ...client.serverPublicJwk, alg: "ES256" } as Parameters<typeof importJWK>[0],
        "ES256",
      );
      ({ payload } = await jwtVerify(assertion, key, { ...options, algorithms: ["ES256"] }));
    } else if (client.jwks) {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
        ...options,
        algorithms: ["RS256", "ES256", "PS256", "EdDSA"],
      }));
    } else {
      throw new Error(`client "${client.id}" has no key`);
    }
  } catch (cause) {
    throw new OAuthError("invalid_client", `client_assertion is invalid: ${(cause as Error).message}`, {
      cause,
    });
  }
  const exp = payload.exp as number;
  if (exp - nowS > MAX_ASSERTION_LIFETIME_S) {
    throw new OAuthError("invalid_client", `client_assertion expires too late (exp ${exp})`);
  }
  if (!(await rememberJti(deps, `${client.id}:${payload.jti}`, (exp + 10) * 1000))) {
    throw new OAuthError("invalid_client", `client_assertion jti "${payload.jti}" was already used`);
  }
}

/** Parses and checks an absolute https redirect URI (no fragment). */
export function checkRedirectUri(uri: string): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new ClientRegistrationError(`Redirect URI "${uri}" is not a URL`);
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && u.hostname === "127.0.0.1")) {
    throw new ClientRegistrationError(`Redirect URI "${uri}" must use https`);
  }
  if (u.hash) throw new ClientRegistrationError(`Redirect URI "${uri}" must not have a fragment`);
  return uri;
}

/**
 * Registers (or updates) the user server `serverName` as a client: redirect URI
 * `<origin>/auth/callback`, post-logout URI `<origin>/auth/logged-out`, `private_key_jwt` with its
 * server key. `origin` must be `https://<name>.<zone>` with an optional port. With `ownerEmail`,
 * a server without an owner is given that account (the dev set-up; self-service registration
 * sets the owner itself).
 */
export async function registerServerClient(
  deps: CloudDeps,
  serverName: string,
  { origin, ownerEmail }: { origin: string; ownerEmail?: string },
): Promise<{ clientId: string; redirectUri: string; ownerAccountId: string | null }> {
  const server = (await deps.db.orm.select().from(servers).where(eq(servers.name, serverName)))[0];
  if (!server) throw new ClientRegistrationError(`No server named "${serverName}"`);
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    throw new ClientRegistrationError(`Origin "${origin}" is not a URL`);
  }
  if (
    u.protocol !== "https:" || u.hostname !== `${server.name}.${deps.zone}` ||
    u.origin !== origin.replace(/\/$/, "")
  ) {
    throw new ClientRegistrationError(
      `Origin "${origin}" must be https://${server.name}.${deps.zone} with an optional port and nothing else`,
    );
  }
  let ownerAccountId = server.accountId;
  if (ownerEmail) {
    const account = (await deps.db.orm.select({ id: accounts.id }).from(accounts)
      .where(eq(accounts.email, ownerEmail.toLowerCase())))[0];
    if (!account) throw new ClientRegistrationError(`No account with email "${ownerEmail}"`);
    if (ownerAccountId && ownerAccountId !== account.id) {
      throw new ClientRegistrationError(`Server "${serverName}" already belongs to another account`);
    }
    if (!ownerAccountId) {
      await deps.db.write(() =>
        deps.db.orm.update(servers).set({ accountId: account.id }).where(eq(servers.id, server.id))
      );
      ownerAccountId = account.id;
    }
  }
  const redirectUri = `${u.origin}/auth/callback`;
  const row = {
    name: `${server.name}.${deps.zone}`,
    serverId: server.id,
    redirectUris: JSON.stringify([redirectUri]),
    postLogoutRedirectUris: JSON.stringify([`${u.origin}/auth/logged-out`]),
    tokenEndpointAuthMethod: "private_key_jwt" as const,
    secretHash: null,
    jwks: null,
  };
  await deps.db.write(() =>
    deps.db.orm.insert(oidcClients).values({ id: server.id, ...row, createdAt: deps.now() })
      .onConflictDoUpdate({ target: oidcClients.id, set: row })
  );
  return { clientId: server.id, redirectUri, ownerAccountId };
}

export interface ClientSpec {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  authMethod: AuthMethod;
  /** For `private_key_jwt`. */
  jwks?: JSONWebKeySet;
  idTokenAlg?: "RS256" | "ES256";
}

/** Registers a client that is not a user server; returns its id and, for secret methods, its secret. */
export async function registerClient(
  deps: CloudDeps,
  spec: ClientSpec,
): Promise<{ clientId: string; clientSecret?: string }> {
  const redirectUris = spec.redirectUris.map(checkRedirectUri);
  if (redirectUris.length === 0) {
    throw new ClientRegistrationError("A client needs at least one redirect URI");
  }
  const postLogout = (spec.postLogoutRedirectUris ?? []).map(checkRedirectUri);
  if (spec.authMethod === "private_key_jwt" && !spec.jwks?.keys?.length) {
    throw new ClientRegistrationError("A private_key_jwt client needs a JWKS");
  }
  const usesSecret = spec.authMethod === "client_secret_basic" || spec.authMethod === "client_secret_post";
  const clientSecret = usesSecret ? randomToken(32) : undefined;
  const clientId = `cl_${randomToken(12)}`;
  const secretHash = clientSecret ? await sha256Hex(clientSecret) : null;
  await deps.db.write(() =>
    deps.db.orm.insert(oidcClients).values({
      id: clientId,
      name: spec.name,
      redirectUris: JSON.stringify(redirectUris),
      postLogoutRedirectUris: JSON.stringify(postLogout),
      tokenEndpointAuthMethod: spec.authMethod,
      secretHash,
      jwks: spec.jwks ? JSON.stringify(spec.jwks) : null,
      idTokenSignedResponseAlg: spec.idTokenAlg ?? "RS256",
      createdAt: deps.now(),
    })
  );
  return { clientId, clientSecret };
}

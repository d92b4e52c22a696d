/**
 * IdCloud's OpenID Connect provider as Hono routes, served on `id.<zone>` (the issuer is
 * `https://id.<zone>[:port]`, the origin browsers use; other hosts get 404):
 *
 *   GET  /.well-known/openid-configuration   discovery
 *   GET  /oidc/jwks                          signing keys (RS256 + ES256, with kid)
 *   GET|POST /oidc/authorize                 code flow; PKCE S256 required; state, nonce
 *   POST /oidc/authorize/consent             the consent form's answer
 *   POST /oidc/introspect                    RFC 7662: is this access or refresh token live?
 *   POST /oidc/token                         authorization_code, refresh_token
 *   GET|POST /oidc/userinfo                  Bearer access token
 *   POST /oidc/revoke                        RFC 7009
 *   GET|POST /oidc/logout                    RP-initiated logout (end_session_endpoint)
 */
import { and, eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { cors } from "hono/cors";
import { compactVerify, createLocalJWKSet, type JWTPayload } from "jose";
import { oidcConsents } from "../../../shared/db/cloud/schema.ts";
import { constantTimeEqual, randomToken } from "../../../shared/crypto/mod.ts";
import type { CloudDeps } from "../../deps.ts";
import { endSession, getSignedInAccount, loginUrl } from "../session.ts";
import { clientIp } from "../../conninfo.ts";
import { LIMITS, takeToken } from "../../throttle.ts";
import { authenticateClient, type Client, findClient } from "./clients.ts";
import { OAuthError } from "./errors.ts";
import { publicJwks } from "./keys.ts";
import {
  exchangeCode,
  introspectToken,
  issueCode,
  refreshTokens,
  revokeToken,
  userClaims,
  validateAccessToken,
} from "./tokens.ts";
import { ConsentPage, ErrorPage, LogoutConfirmPage, SignedOutPage } from "./views.tsx";

export const SUPPORTED_SCOPES = ["openid", "email", "offline_access"];
const CSRF_COOKIE = "hearth_oidc_csrf";
const PAGE_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https:; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

type Vars = { Variables: { issuer: string } };

export function createOidcRoutes(deps: CloudDeps): Hono<Vars> {
  const app = new Hono<Vars>();
  const idHost = `id.${deps.zone}`;
  app.use("/.well-known/openid-configuration", oidcHostOnly);
  app.use("/oidc/*", oidcHostOnly);
  async function oidcHostOnly(c: Context<Vars>, next: () => Promise<void>) {
    const url = new URL(c.req.url);
    if (url.hostname !== idHost) return c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
    // From config only: the Host header's port is the client's to choose, the issuer is not.
    c.set("issuer", deps.id?.origin ?? `https://${idHost}`);
    await next();
  }
  // Public clients (e.g. a single-page app) call these from their own origin; none uses cookies.
  for (
    const p of [
      "/.well-known/openid-configuration",
      "/oidc/jwks",
      "/oidc/token",
      "/oidc/userinfo",
      "/oidc/revoke",
    ]
  ) {
    app.use(p, cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }));
  }

  app.get("/.well-known/openid-configuration", (c) => c.json(discovery(c.get("issuer"))));
  app.get("/oidc/jwks", async (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.json(await publicJwks(deps));
  });

  app.get("/oidc/authorize", (c) => authorize(c, deps, new URL(c.req.url).searchParams));
  app.post("/oidc/authorize", async (c) => authorize(c, deps, await formOf(c)));
  app.post("/oidc/authorize/consent", async (c) => {
    const form = await formOf(c);
    if (!csrfOk(c, form)) {
      return page(
        c,
        403,
        <ErrorPage title="Request expired" message="This form expired. Please try again." />,
      );
    }
    const decision = form.get("decision");
    if (decision !== "allow" && decision !== "deny") {
      return page(
        c,
        400,
        <ErrorPage title="Bad request" message={`Decision "${decision ?? ""}" is not allow or deny`} />,
      );
    }
    return authorize(c, deps, new URLSearchParams(form.get("request") ?? ""), decision);
  });

  /** The form of a token-endpoint-style request and the client it authenticates as. */
  const clientRequest = async (c: Context, path: string) => {
    const form = await tokenForm(c);
    const issuer = c.get("issuer") as string;
    const client = await authenticateClient(deps, form, {
      authorization: c.req.header("authorization"),
      issuer,
      endpoint: `${issuer}${path}`,
    });
    return { form, issuer, client };
  };

  /** Token buckets like the login's: per address before anything, per client once it is known. */
  const throttle = async (key: string) => {
    const wait = await takeToken(deps, key, LIMITS.token);
    if (wait) {
      throw new OAuthError("slow_down", `Too many token requests; retry in ${Math.ceil(wait / 1000)} s`, {
        status: 429,
      });
    }
  };

  app.post("/oidc/token", (c) =>
    protocol(c, async () => {
      await throttle(`token:ip:${clientIp(c)}`);
      const { form, issuer, client } = await clientRequest(c, "/oidc/token");
      await throttle(`token:client:${client.id}`);
      const grantType = form.get("grant_type");
      if (grantType === "authorization_code") {
        const code = form.get("code");
        if (!code) throw new OAuthError("invalid_request", "code is missing");
        return await exchangeCode(deps, client, {
          code,
          redirectUri: form.get("redirect_uri"),
          codeVerifier: form.get("code_verifier"),
          issuer,
        });
      }
      if (grantType === "refresh_token") {
        const refreshToken = form.get("refresh_token");
        if (!refreshToken) throw new OAuthError("invalid_request", "refresh_token is missing");
        return await refreshTokens(deps, client, { refreshToken, scope: form.get("scope"), issuer });
      }
      throw new OAuthError("unsupported_grant_type", `grant_type "${grantType ?? ""}" is not supported`);
    }));

  const userinfo = async (c: Context<Vars>) => {
    const auth = c.req.header("authorization") ?? "";
    let token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    if (!token && c.req.method === "POST" && !auth) {
      token = (await formOf(c)).get("access_token") ?? undefined;
    }
    const info = token ? await validateAccessToken(deps, token) : null;
    const client = info ? await findClient(deps, info.clientId) : null;
    if (!info || !client) {
      c.header(
        "www-authenticate",
        token ? 'Bearer error="invalid_token", error_description="The access token is invalid"' : "Bearer",
      );
      return c.json({
        error: "invalid_token",
        error_description: "The access token is missing, expired or revoked",
      }, 401);
    }
    c.header("cache-control", "no-store");
    return c.json(await userClaims(deps, client, info.accountId, info.scope));
  };
  app.get("/oidc/userinfo", userinfo);
  app.post("/oidc/userinfo", userinfo);

  app.post("/oidc/revoke", (c) =>
    protocol(c, async () => {
      const { form, client } = await clientRequest(c, "/oidc/revoke");
      const token = form.get("token");
      if (!token) throw new OAuthError("invalid_request", "token is missing");
      await revokeToken(deps, client, token, form.get("token_type_hint"));
      return null;
    }));

  app.post("/oidc/introspect", (c) =>
    protocol(c, async () => {
      await throttle(`token:ip:${clientIp(c)}`);
      const { form, client } = await clientRequest(c, "/oidc/introspect");
      await throttle(`token:client:${client.id}`);
      const token = form.get("token");
      if (!token) throw new OAuthError("invalid_request", "token is missing");
      return await introspectToken(deps, client, token, form.get("token_type_hint"));
    }));

  app.get("/oidc/logout", (c) => logout(c, deps, new URL(c.req.url).searchParams));
  app.post("/oidc/logout", async (c) => logout(c, deps, await formOf(c)));
  return app;
}

export function discovery(issuer: string) {
  const authMethods = ["private_key_jwt", "client_secret_basic", "client_secret_post", "none"];
  return {
    issuer,
    authorization_endpoint: `${issuer}/oidc/authorize`,
    token_endpoint: `${issuer}/oidc/token`,
    userinfo_endpoint: `${issuer}/oidc/userinfo`,
    jwks_uri: `${issuer}/oidc/jwks`,
    revocation_endpoint: `${issuer}/oidc/revoke`,
    introspection_endpoint: `${issuer}/oidc/introspect`,
    end_session_endpoint: `${issuer}/oidc/logout`,
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "ES256"],
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: ["ES256", "RS256", "PS256", "EdDSA"],
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: ["ES256", "RS256", "PS256", "EdDSA"],
    introspection_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_signing_alg_values_supported: ["ES256", "RS256", "PS256", "EdDSA"],
    code_challenge_methods_supported: ["S256"],
    claims_supported: [
      "iss",
      "sub",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "nonce",
      "azp",
      "email",
      "email_verified",
      "sid",
    ],
    prompt_values_supported: ["none", "login", "consent"],
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

async function formOf(c: Context): Promise<URLSearchParams> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return new URLSearchParams();
  return new URLSearchParams(await c.req.text());
}

/** A token-endpoint body: form-encoded, each parameter at most once (RFC 6749 §3.2). */
async function tokenForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new OAuthError(
      "invalid_request",
      `Content-Type "${type}" is not application/x-www-form-urlencoded`,
    );
  }
  const form = new URLSearchParams(await c.req.text());
  const seen = new Set<string>();
  for (const k of form.keys()) {
    if (seen.has(k)) throw new OAuthError("invalid_request", `Parameter "${k}" is repeated`);
    seen.add(k);
  }
  return form;
}

/** Runs a back-channel handler: JSON result (or empty 200), OAuth errors as RFC 6749 §5.2 JSON. */
async function protocol(c: Context, fn: () => Promise<object | null>): Promise<Response> {
  const headers: Record<string, string> = { "cache-control": "no-store", pragma: "no-cache" };
  try {
    const body = await fn();
    return body ? Response.json(body, { headers }) : new Response(null, { status: 200, headers });
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    if (err.code === "invalid_client" && c.req.header("authorization")?.toLowerCase().startsWith("basic ")) {
      headers["www-authenticate"] = 'Basic realm="hearth-id"';
    }
    return Response.json(err.toJSON(), { status: err.status, headers });
  }
}

function page(c: Context, status: number, body: unknown): Response | Promise<Response> {
  for (const [k, v] of Object.entries(PAGE_HEADERS)) c.header(k, v);
  return c.html(body as string, status as 200);
}

function csrfToken(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE, "host");
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken(32);
  setCookie(c, CSRF_COOKIE, token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: 3600,
    prefix: "host",
  });
  return token;
}

function csrfOk(c: Context<Vars>, form: URLSearchParams): boolean {
  const origin = c.req.header("origin");
  if (origin && origin !== c.get("issuer")) return false;
  const cookie = getCookie(c, CSRF_COOKIE, "host");
  const sent = form.get("csrf");
  return !!cookie && !!sent && constantTimeEqual(cookie, sent);
}

async function authorize(
  c: Context<Vars>,
  deps: CloudDeps,
  params: URLSearchParams,
  decision?: "allow" | "deny",
): Promise<Response> {
  const issuer = c.get("issuer");
  const clientId = params.get("client_id");
  const client = clientId ? await findClient(deps, clientId) : null;
  if (!client) {
    return page(
      c,
      400,
      <ErrorPage
        title="Unknown application"
        message={`No application is registered as "${clientId ?? ""}".`}
      />,
    );
  }
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return page(
      c,
      400,
      <ErrorPage
        title="Wrong return address"
        message={`"${client.name}" asked to return to "${redirectUri ?? ""}", which it did not register.`}
      />,
    );
  }
  const state = params.get("state");
  const back = (q: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
    if (state !== null) u.searchParams.set("state", state);
    u.searchParams.set("iss", issuer);
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    return c.redirect(u.toString(), 303);
  };
  const fail = (code: string, description: string) => back({ error: code, error_description: description });

  if (params.has("request")) return fail("request_not_supported", "Request objects are not supported");
  if (params.has("request_uri")) return fail("request_uri_not_supported", "request_uri is not supported");
  if (params.get("response_type") !== "code") {
    return fail(
      "unsupported_response_type",
      `response_type "${params.get("response_type") ?? ""}" is not supported`,
    );
  }
  const mode = params.get("response_mode");
  if (mode !== null && mode !== "query") {
    return fail("invalid_request", `response_mode "${mode}" is not supported`);
  }
  const asked = (params.get("scope") ?? "").split(" ").filter(Boolean);
  if (!asked.includes("openid")) return fail("invalid_scope", 'scope must include "openid"');
  const scope = SUPPORTED_SCOPES.filter((s) => asked.includes(s)).join(" ");
  const challenge = params.get("code_challenge");
  if (params.get("code_challenge_method") !== "S256" || !challenge) {
    return fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
    return fail("invalid_request", "code_challenge is not a base64url SHA-256");
  }
  const nonce = params.get("nonce");
  if (nonce !== null && (nonce.length === 0 || nonce.length > 512)) {
    return fail("invalid_request", "nonce must be 1 to 512 characters");
  }
  const prompt = new Set((params.get("prompt") ?? "").split(" ").filter(Boolean));
  if (prompt.has("none") && prompt.size > 1) {
    return fail("invalid_request", 'prompt "none" cannot be combined');
  }
  const maxAgeRaw = params.get("max_age");
  const maxAge = maxAgeRaw === null ? null : Number(maxAgeRaw);
  if (maxAge !== null && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
    return fail("invalid_request", `max_age "${maxAgeRaw}" is not a number of seconds`);
  }

  const account = await getSignedInAccount(c, deps);
  const nowS = Math.floor(deps.now() / 1000);
  const stale = account !== null && maxAge !== null && nowS - account.authTime > maxAge;
  if (!account || prompt.has("login") || stale) {
    if (prompt.has("none")) return fail("login_required", "Nobody is signed in at Hearth ID");
    // A fresh login satisfies prompt=login and max_age; the RP checks auth_time against max_age.
    // The session is not ended here: a cross-site link must not sign anyone out (the login page
    // asks, and the new login replaces it).
    const next = new URLSearchParams(params);
    const rest = [...prompt].filter((p) => p !== "login");
    if (rest.length) next.set("prompt", rest.join(" "));
    else next.delete("prompt");
    next.delete("max_age");
    c.header("cache-control", "no-store");
    return c.redirect(loginUrl(`/oidc/authorize?${next}`, { reauth: account !== null }), 303);
  }

  const owner = client.serverId !== null && client.ownerAccountId === account.accountId;
  if (!owner && decision === undefined) {
    const row = (await deps.db.orm.select().from(oidcConsents).where(
      and(eq(oidcConsents.accountId, account.accountId), eq(oidcConsents.clientId, client.id)),
    ))[0];
    const granted = new Set(row?.scope.split(" ") ?? []);
    const covered = !!row && scope.split(" ").every((s) => granted.has(s));
    if (!covered || prompt.has("consent")) {
      if (prompt.has("none")) return fail("consent_required", `You have not allowed "${client.name}" yet`);
      const request = new URLSearchParams(params);
      request.delete("prompt");
      return page(
        c,
        200,
        <ConsentPage
          clientName={client.name}
          email={account.email}
          scopes={scope.split(" ")}
          hidden={{ request: request.toString() }}
          csrf={csrfToken(c)}
          isServer={client.serverId !== null}
        />,
      );
    }
  }
  if (decision === "deny") return fail("access_denied", "You declined to sign in");
  if (decision === "allow") await rememberConsent(deps, account.accountId, client, scope);
  const code = await issueCode(deps, {
    clientId: client.id,
    accountId: account.accountId,
    redirectUri,
    scope,
    nonce,
    codeChallenge: challenge,
    authTime: account.authTime,
  });
  return back({ code });
}

async function rememberConsent(
  deps: CloudDeps,
  accountId: string,
  client: Client,
  scope: string,
): Promise<void> {
  const row = (await deps.db.orm.select().from(oidcConsents).where(
    and(eq(oidcConsents.accountId, accountId), eq(oidcConsents.clientId, client.id)),
  ))[0];
  const merged = [...new Set([...(row?.scope.split(" ") ?? []), ...scope.split(" ")])].join(" ");
  await deps.db.write(() =>
    deps.db.orm.insert(oidcConsents).values({
      accountId,
      clientId: client.id,
      scope: merged,
      grantedAt: deps.now(),
    })
      .onConflictDoUpdate({
        target: [oidcConsents.accountId, oidcConsents.clientId],
        set: { scope: merged, grantedAt: deps.now() },
      })
  );
}

async function logout(c: Context<Vars>, deps: CloudDeps, params: URLSearchParams): Promise<Response> {
  const issuer = c.get("issuer");
  const bad = (message: string) =>
    page(c, 400, <ErrorPage title="Cannot sign out this way" message={message} />);
  const hint = params.get("id_token_hint");
  let hinted: JWTPayload | null = null;
  if (hint) {
    try {
      // Expired id_tokens are fine as hints: only our signature and issuer matter.
      const { payload } = await compactVerify(hint, createLocalJWKSet(await publicJwks(deps)));
      hinted = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
      if (hinted.iss !== issuer) throw new Error(`issuer "${hinted.iss}"`);
    } catch {
      return bad("The sign-out request carries an id_token that Hearth ID did not issue.");
    }
  }
  const hintedClient = hinted ? (Array.isArray(hinted.aud) ? hinted.aud[0] : hinted.aud) ?? null : null;
  const clientId = params.get("client_id") ?? hintedClient;
  if (hintedClient && clientId !== hintedClient) return bad("client_id does not match the id_token_hint.");
  const postLogout = params.get("post_logout_redirect_uri");
  let target: string | null = null;
  if (postLogout) {
    const client = clientId ? await findClient(deps, clientId) : null;
    if (!client || !client.postLogoutRedirectUris.includes(postLogout)) {
      return bad(`"${postLogout}" is not a registered address to return to after signing out.`);
    }
    const u = new URL(postLogout);
    const state = params.get("state");
    if (state !== null) u.searchParams.set("state", state);
    target = u.toString();
  }
  const account = await getSignedInAccount(c, deps);
  const confirmed = c.req.method === "POST" && params.get("confirm") === "yes" && csrfOk(c, params);
  if (account && !confirmed && hinted?.sub !== account.accountId) {
    const hidden: Record<string, string> = {};
    for (const k of ["id_token_hint", "client_id", "post_logout_redirect_uri", "state"]) {
      const v = params.get(k);
      if (v !== null) hidden[k] = v;
    }
    return page(c, 200, <LogoutConfirmPage hidden={hidden} csrf={csrfToken(c)} email={account.email} />);
  }
  if (account) await endSession(c, deps);
  if (target) {
    c.header("cache-control", "no-store");
    return c.redirect(target, 303);
  }
  return page(c, 200, <SignedOutPage />);
}

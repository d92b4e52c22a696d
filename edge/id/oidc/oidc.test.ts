/**
 * The provider against `openid-client` (the certified RP library), through `app.request` (the
 * whole cloud app, a real libSQL file): discovery, the code flow with each client
 * authentication method, and each negative case rejected with the right OAuth error.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as oidc from "openid-client";
import { createLocalJWKSet, generateKeyPair as joseKeyPair, jwtVerify } from "jose";
import { eq } from "drizzle-orm";
import { accounts, idSessions, oidcGrants } from "../../../shared/db/cloud/schema.ts";
import { changePassword, getAccount } from "../accounts.ts";
import { hashPassword } from "../password.ts";
import { generateKeyPair, publicJwk } from "../../../shared/pki/mod.ts";
import { testDeps } from "../../_test_deps.ts";
import { createCloudApp } from "../../app.ts";
import { addServer } from "../../reg/admin.ts";
import { addAccount, signIn } from "./_test_helpers.ts";
import { registerClient, registerServerClient } from "./clients.ts";
import { OVERLAP_MS, ROTATE_EVERY_MS, rotateKeys, rotateKeysIfDue } from "./keys.ts";

const ISSUER = "https://id.hearth.localhost:8787";
const ORIGIN = "https://alice.hearth.localhost:8443";
const REDIRECT = `${ORIGIN}/auth/callback`;

type Deps = Awaited<ReturnType<typeof testDeps>>;
let deps: Deps;
let app: ReturnType<typeof createCloudApp>;
let alice: string;
let bob: string;
let aliceCookie: string;
let bobCookie: string;
let serverKeys: CryptoKeyPair;
let serverClientId: string;

beforeEach(async () => {
  deps = await testDeps();
  deps.clock.now = Date.now(); // openid-client checks iat/exp against the real clock
  deps.id = { origin: ISSUER }; // the issuer comes from config only
  app = createCloudApp(deps);
  alice = await addAccount(deps, "alice@example.com");
  bob = await addAccount(deps, "bob@example.com");
  aliceCookie = await signIn(deps, alice);
  bobCookie = await signIn(deps, bob);
  serverKeys = await generateKeyPair();
  await addServer(deps, "alice", await publicJwk(serverKeys.publicKey));
  ({ clientId: serverClientId } = await registerServerClient(deps, "alice", {
    origin: ORIGIN,
    ownerEmail: "alice@example.com",
  }));
});
afterEach(() => deps.cleanup());

/** openid-client's fetch, answered by the app in-process. */
const appFetch =
  (tamper?: (body: Record<string, unknown>) => void): oidc.CustomFetch => async (url, init) => {
    const res = await app.request(new Request(url, init as RequestInit));
    if (!tamper || !url.endsWith("/oidc/token") || !res.ok) return res;
    const body = await res.json();
    tamper(body);
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    return Response.json(body, { status: res.status, headers });
  };

async function discover(
  clientId: string,
  auth: oidc.ClientAuth,
  tamper?: (b: Record<string, unknown>) => void,
) {
  const config = await oidc.discovery(new URL(ISSUER), clientId, undefined, auth, {
    [oidc.customFetch]: appFetch(tamper),
  });
  config[oidc.customFetch] = appFetch(tamper);
  oidc.enableNonRepudiationChecks(config); // verify id_token signatures against the JWKS, as our RP does
  return config;
}

const serverConfig = (tamper?: (b: Record<string, unknown>) => void) =>
  discover(serverClientId, oidc.PrivateKeyJwt(serverKeys.privateKey), tamper);

/** Starts a flow; returns the authorization URL and the checks the callback needs. */
async function start(config: oidc.Configuration, extra: Record<string, string> = {}, redirectUri = REDIRECT) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email offline_access",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** The browser's side: GET the authorize URL with a session cookie; returns the Location. */
async function browse(url: URL | string, cookie: string, init: RequestInit = {}): Promise<Response> {
  return await app.request(new Request(url, { ...init, headers: { cookie, ...(init.headers ?? {}) } }));
}

async function callbackFor(url: URL, cookie: string): Promise<URL> {
  const res = await browse(url, cookie);
  assert.equal(res.status, 303, `authorize answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get("location")!);
}

async function oauthError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { error?: string }).error ?? `(no OAuth error: ${(e as Error).message})`;
  }
  assert.fail("expected an OAuth error");
}

async function rawToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await app.request(`${ISSUER}/oidc/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: await res.json() as Record<string, string> };
}

describe("discovery and JWKS", () => {
  test("discovery describes the provider at the browsers' issuer URL", async () => {
    const res = await app.request(`${ISSUER}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const d = await res.json();
    assert.equal(d.issuer, ISSUER);
    assert.equal(d.token_endpoint, `${ISSUER}/oidc/token`);
    assert.deepEqual(d.code_challenge_methods_supported, ["S256"]);
    assert.deepEqual(
      d.token_endpoint_auth_methods_supported,
      ["private_key_jwt", "client_secret_basic", "client_secret_post", "none"],
    );
    assert.ok(d.end_session_endpoint && d.revocation_endpoint && d.userinfo_endpoint);
  });

  test("the issuer comes from config, not from the Host header's port", async () => {
    const d = await (await app.request("https://id.hearth.localhost:9999/.well-known/openid-configuration"))
      .json();
    assert.equal(d.issuer, ISSUER);
    assert.equal(d.token_endpoint, `${ISSUER}/oidc/token`);
  });

  test("other host names do not serve the provider", async () => {
    assert.equal(
      (await app.request("https://reg.hearth.localhost:8787/.well-known/openid-configuration")).status,
      404,
    );
    assert.equal((await app.request("https://127.0.0.1:8787/oidc/jwks")).status, 404);
  });

  test("the JWKS has an RS256 and an ES256 key, each with a kid and no private part", async () => {
    const { keys } = await (await app.request(`${ISSUER}/oidc/jwks`)).json();
    assert.deepEqual(keys.map((k: { alg: string }) => k.alg).sort(), ["ES256", "RS256"]);
    for (const k of keys) {
      assert.ok(k.kid);
      assert.equal(k.d, undefined);
      assert.equal(k.use, "sig");
    }
  });
});

describe("the code flow with openid-client", () => {
  test("the owner's server: private_key_jwt, id_token claims, userinfo, refresh, revocation", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie); // the owner is not asked for consent
    assert.equal(cb.origin + cb.pathname, REDIRECT);
    assert.equal(cb.searchParams.get("iss"), ISSUER);
    const tokens = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, alice);
    assert.equal(claims.aud, serverClientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, "alice@example.com");
    assert.equal(claims.hearth_owner, true);
    assert.ok(typeof claims.auth_time === "number" && claims.exp > claims.iat);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, alice);
    assert.equal(info.email, "alice@example.com");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.claims()!.sub, alice);

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    assert.equal(await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!)), "invalid_grant");
    // Revoking the refresh token revoked its grant, access tokens included.
    await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, alice));
  });

  for (const method of ["client_secret_basic", "client_secret_post", "none"] as const) {
    test(`a client using ${method} completes the flow`, async () => {
      const { clientId, clientSecret } = await registerClient(deps, {
        name: "Test app",
        redirectUris: ["https://app.example/cb"],
        authMethod: method,
      });
      const auth = method === "client_secret_basic"
        ? oidc.ClientSecretBasic(clientSecret!)
        : method === "client_secret_post"
        ? oidc.ClientSecretPost(clientSecret!)
        : oidc.None();
      const config = await discover(clientId, auth);
      const { url, verifier, state, nonce } = await start(config, {}, "https://app.example/cb");
      // Not a server of hers: alice is asked once, then it is remembered.
      const consent = await browse(url, aliceCookie);
      assert.equal(consent.status, 200);
      const html = await consent.text();
      assert.match(html, /Sign in to/);
      const cb = await consentAnswer(html, consent, aliceCookie, "allow");
      const tokens = await oidc.authorizationCodeGrant(config, cb, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      assert.equal(tokens.claims()!.sub, alice);
      assert.equal(tokens.claims()!.hearth_owner, undefined);
      const again = await start(config, {}, "https://app.example/cb");
      assert.equal((await browse(again.url, aliceCookie)).status, 303, "consent is remembered");
    });
  }

  test("a wrong client secret is invalid_client (401)", async () => {
    const { clientId } = await registerClient(deps, {
      name: "Test app",
      redirectUris: ["https://app.example/cb"],
      authMethod: "client_secret_post",
    });
    const r = await rawToken({
      grant_type: "authorization_code",
      code: "x",
      client_id: clientId,
      client_secret: "nope",
    });
    assert.equal(r.status, 401);
    assert.equal(r.body.error, "invalid_client");
  });
});

/** Posts the consent form found in `html`. */
async function consentAnswer(html: string, res: Response, cookie: string, decision: "allow" | "deny") {
  const request = /name="request" value="([^"]*)"/.exec(html)![1].replace(/&amp;/g, "&");
  const csrf = /name="csrf" value="([^"]*)"/.exec(html)![1];
  const setCookie = res.headers.get("set-cookie") ?? "";
  const csrfCookie = /__Host-hearth_oidc_csrf=[^;]+/.exec(setCookie)![0];
  const answer = await browse(`${ISSUER}/oidc/authorize/consent`, `${cookie}; ${csrfCookie}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ISSUER },
    body: new URLSearchParams({ request, csrf, decision }),
  });
  assert.equal(answer.status, 303);
  return new URL(answer.headers.get("location")!);
}

describe("negative cases, each with the right OAuth error", () => {
  test("a wrong PKCE verifier", async () => {
    const config = await serverConfig();
    const { url, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const err = await oauthError(oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
      expectedState: state,
      expectedNonce: nonce,
    }));
    assert.equal(err, "invalid_grant");
  });

  test("a reused code, which also revokes what the first exchange issued", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const checks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };
    const first = await oidc.authorizationCodeGrant(config, cb, checks);
    assert.equal(await oauthError(oidc.authorizationCodeGrant(config, cb, checks)), "invalid_grant");
    assert.equal(await oauthError(oidc.refreshTokenGrant(config, first.refresh_token!)), "invalid_grant");
  });

  test("a redirect_uri that does not match exactly", async () => {
    const config = await serverConfig();
    // At the authorization endpoint: an error page, never a redirect to the unregistered URI.
    const bad = await start(config, {}, `${REDIRECT}/`);
    const res = await browse(bad.url, aliceCookie);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("location"), null);
    // At the token endpoint: the code was issued for another redirect_uri.
    const { url, verifier } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const r = await rawTokenWithAssertion(cb.searchParams.get("code")!, verifier, `${ORIGIN}/auth/other`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, "invalid_grant");
  });

  test("an expired code", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    deps.clock.now += 61_000;
    const err = await oauthError(oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    }));
    assert.equal(err, "invalid_grant");
  });

  test("a tampered id_token signature is rejected by the RP", async () => {
    const config = await serverConfig((body) => {
      const [h, p, s] = String(body.id_token).split(".");
      body.id_token = `${h}.${p}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`;
    });
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const err = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    }).then(() => null, (e) => e as Error & { cause?: Error });
    assert.ok(err, "the tampered id_token was accepted");
    assert.match(String(err.cause?.message ?? err.message), /signature/i);
  });

  test("refresh-token reuse revokes the whole family", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const t0 = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const t1 = await oidc.refreshTokenGrant(config, t0.refresh_token!);
    assert.equal(await oauthError(oidc.refreshTokenGrant(config, t0.refresh_token!)), "invalid_grant");
    // The family is gone: the newest refresh token and its access token no longer work.
    assert.equal(await oauthError(oidc.refreshTokenGrant(config, t1.refresh_token!)), "invalid_grant");
    await assert.rejects(oidc.fetchUserInfo(config, t1.access_token, alice));
    const grants = await deps.db.orm.select().from(oidcGrants);
    assert.equal(grants[0].revokedReason, "refresh token reused");
  });

  test("a revoked access token is refused at userinfo with invalid_token", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const t = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    await oidc.tokenRevocation(config, t.access_token, { token_type_hint: "access_token" });
    const res = await app.request(`${ISSUER}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${t.access_token}` },
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, "invalid_token");
    assert.match(res.headers.get("www-authenticate")!, /invalid_token/);
    // The refresh token of that grant still works: only the access token was revoked.
    await oidc.refreshTokenGrant(config, t.refresh_token!);
  });

  test("PKCE is required, and only S256", async () => {
    const config = await serverConfig();
    for (
      const extra of [{ code_challenge_method: "plain" }, { code_challenge: "" }] as Record<string, string>[]
    ) {
      const { url } = await start(config, extra);
      if (extra.code_challenge === "") url.searchParams.delete("code_challenge");
      const cb = await callbackFor(url, aliceCookie);
      assert.equal(cb.searchParams.get("error"), "invalid_request");
      assert.ok(cb.searchParams.get("state"));
    }
  });

  test("a client assertion works once; one signed by another key never", async () => {
    const config = await serverConfig();
    const { url, verifier } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const code = cb.searchParams.get("code")!;
    const assertion = await serverAssertion(serverKeys.privateKey);
    const form = {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: serverClientId,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    };
    const other = await generateKeyPair();
    const forged = await rawToken({ ...form, client_assertion: await serverAssertion(other.privateKey) });
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error, "invalid_client");
    assert.equal((await rawToken({ ...form, client_assertion: assertion })).status, 200);
    const replay = await rawToken({ ...form, client_assertion: assertion });
    assert.equal(replay.body.error, "invalid_client");
  });

  test("an unauthenticated browser goes to IdCloud's login and comes back to the same request", async () => {
    const config = await serverConfig();
    const { url } = await start(config);
    const res = await app.request(url);
    assert.equal(res.status, 303);
    const login = new URL(res.headers.get("location")!, ISSUER);
    assert.equal(login.pathname, "/login");
    const back = new URL(login.searchParams.get("return_to")!, ISSUER);
    assert.equal(back.pathname, "/oidc/authorize");
    assert.equal(back.searchParams.get("state"), url.searchParams.get("state"));
  });

  test("prompt=none answers login_required and consent_required instead of showing pages", async () => {
    const config = await serverConfig();
    const anon = await start(config, { prompt: "none" });
    const r1 = await app.request(anon.url);
    assert.equal(new URL(r1.headers.get("location")!).searchParams.get("error"), "login_required");
    const cb = await callbackFor((await start(config, { prompt: "none" })).url, bobCookie);
    assert.equal(cb.searchParams.get("error"), "consent_required");
  });

  for (const extra of [{ prompt: "login" }, { max_age: "0" }] as Record<string, string>[]) {
    test(`${new URLSearchParams(extra)} asks for a fresh login without ending the IdCloud session`, async () => {
      const config = await serverConfig();
      const { url } = await start(config, extra);
      deps.clock.now += 2_000; // alice signed in two seconds ago: older than max_age=0
      const res = await browse(url, aliceCookie);
      const location = new URL(res.headers.get("location")!, ISSUER);
      assert.equal(location.pathname, "/login");
      assert.equal(location.searchParams.get("reauth"), "1");
      assert.doesNotMatch(location.searchParams.get("return_to")!, /prompt=login|max_age/);
      // A link alone signs nobody out: the session stays until alice signs in again.
      assert.equal(
        (await deps.db.orm.select().from(idSessions).where(eq(idSessions.accountId, alice))).length,
        1,
      );
      const page = await browse(location, aliceCookie);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /sign in again/);
    });
  }
});

function kidOf(jwt: string): string {
  return JSON.parse(atob(jwt.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).kid;
}

async function serverAssertion(key: CryptoKey): Promise<string> {
  const { SignJWT } = await import("jose");
  return await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: "ES256" })
    .setIssuer(serverClientId)
    .setSubject(serverClientId)
    .setAudience(ISSUER)
    .setIssuedAt()
    .setExpirationTime("60s")
    .sign(key);
}

async function rawTokenWithAssertion(code: string, verifier: string, redirectUri: string) {
  return await rawToken({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: await serverAssertion(serverKeys.privateKey),
  });
}

describe("another account at alice's server", () => {
  test("bob is asked for consent; declining is access_denied; allowing gives hearth_owner=false", async () => {
    const config = await serverConfig();
    const first = await start(config);
    const page = await browse(first.url, bobCookie);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /belongs to someone else/);
    const denied = await consentAnswer(html, page, bobCookie, "deny");
    assert.equal(denied.searchParams.get("error"), "access_denied");
    assert.equal(denied.searchParams.get("state"), first.state);

    const second = await start(config);
    const page2 = await browse(second.url, bobCookie);
    const cb = await consentAnswer(await page2.text(), page2, bobCookie, "allow");
    const tokens = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    });
    assert.equal(tokens.claims()!.sub, bob);
    assert.equal(tokens.claims()!.hearth_owner, false);
  });

  test("a consent form without its CSRF cookie is refused", async () => {
    const config = await serverConfig();
    const { url } = await start(config);
    const page = await browse(url, bobCookie);
    const html = await page.text();
    const request = /name="request" value="([^"]*)"/.exec(html)![1].replace(/&amp;/g, "&");
    const res = await browse(`${ISSUER}/oidc/authorize/consent`, bobCookie, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ request, csrf: "x".repeat(43), decision: "allow" }),
    });
    assert.equal(res.status, 403);
  });
});

describe("key rotation", () => {
  test("tokens signed before a rotation verify during the overlap, not after", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const t = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const jwks = async () => createLocalJWKSet(await (await app.request(`${ISSUER}/oidc/jwks`)).json());
    const issuedAt = new Date(deps.clock.now);
    const verify = async () =>
      await jwtVerify(t.id_token!, await jwks(), { issuer: ISSUER, currentDate: issuedAt });
    const before = await rotateKeys(deps);
    assert.ok(before.retired.includes(kidOf(t.id_token!)));
    deps.clock.now += OVERLAP_MS - 60_000;
    await verify(); // still in the JWKS
    deps.clock.now += 120_000;
    await assert.rejects(verify(), /no applicable key|JWKSNoMatchingKey/i);
  });

  test("new tokens are signed with the new key", async () => {
    const config = await serverConfig();
    const rotation = await rotateKeys(deps);
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, aliceCookie);
    const t = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    assert.equal(kidOf(t.id_token!), rotation.created.find((k) => k.alg === "RS256")!.kid);
  });

  test("scheduled rotation happens only when the key is older than the period", async () => {
    await rotateKeys(deps);
    assert.equal(await rotateKeysIfDue(deps), null);
    deps.clock.now += ROTATE_EVERY_MS + 1;
    const r = await rotateKeysIfDue(deps);
    assert.equal(r?.created.length, 2);
  });
});

describe("logout (end_session_endpoint)", () => {
  async function idTokenOf(cookie: string) {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const cb = await callbackFor(url, cookie);
    const t = await oidc.authorizationCodeGrant(config, cb, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    return { config, idToken: t.id_token! };
  }

  test("with a valid id_token_hint it ends the session and returns to the registered URI with state", async () => {
    const { config, idToken } = await idTokenOf(aliceCookie);
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: `${ORIGIN}/auth/logged-out`,
      state: "s1",
    });
    const res = await browse(url, aliceCookie);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `${ORIGIN}/auth/logged-out?state=s1`);
    assert.equal(
      (await deps.db.orm.select().from(idSessions).where(eq(idSessions.accountId, alice))).length,
      0,
    );
  });

  test("an unregistered post_logout_redirect_uri is refused; no hint asks to confirm", async () => {
    const { config, idToken } = await idTokenOf(aliceCookie);
    const evil = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: "https://evil.example/",
    });
    assert.equal((await browse(evil, aliceCookie)).status, 400);
    const bare = await browse(`${ISSUER}/oidc/logout`, aliceCookie);
    assert.equal(bare.status, 200);
    assert.match(await bare.text(), /Sign out of Hearth ID\?/);
    assert.equal(
      (await deps.db.orm.select().from(idSessions).where(eq(idSessions.accountId, alice))).length,
      1,
    );
  });

  test("a forged id_token_hint is refused", async () => {
    const k = await joseKeyPair("RS256");
    const { SignJWT } = await import("jose");
    const forged = await new SignJWT({ sub: alice }).setProtectedHeader({ alg: "RS256", kid: "x" })
      .setIssuer(ISSUER).setAudience(serverClientId).sign(k.privateKey);
    const res = await browse(`${ISSUER}/oidc/logout?id_token_hint=${forged}`, aliceCookie);
    assert.equal(res.status, 400);
  });
});

describe("token endpoint limits", () => {
  test("refresh tokens only with offline_access", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config, { scope: "openid email" });
    const tokens = await oidc.authorizationCodeGrant(config, await callbackFor(url, aliceCookie), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.ok(tokens.access_token);
    assert.equal(tokens.refresh_token, undefined);
  });

  test("the token endpoint is throttled per address like the login", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(
        (await rawToken({ grant_type: "authorization_code", code: "x", client_id: "nobody" })).status,
      );
    }
    assert.ok(statuses.slice(0, 20).every((s) => s !== 429), statuses.join());
    assert.equal(statuses.at(-1), 429);
    const last = await rawToken({ grant_type: "authorization_code", code: "x", client_id: "nobody" });
    assert.equal(last.body.error, "slow_down");
  });
});

describe("revocation", () => {
  test("a password change revokes the account's grants: access and refresh tokens stop working", async () => {
    await deps.db.orm.update(accounts).set({ passwordHash: await hashPassword("old passphrase 123") })
      .where(eq(accounts.id, alice));
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const tokens = await oidc.authorizationCodeGrant(config, await callbackFor(url, aliceCookie), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, alice)).sub, alice);
    const account = (await getAccount(deps, alice))!;
    assert.deepEqual(
      await changePassword(deps, account, "old passphrase 123", "a new passphrase 456", "none"),
      {
        ok: true,
      },
    );
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, alice));
    assert.equal(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!)), "invalid_grant");
  });

  test("introspection (RFC 7662): live tokens are active with the id_token's sid; after a password change, inactive", async () => {
    await deps.db.orm.update(accounts).set({ passwordHash: await hashPassword("old passphrase 123") })
      .where(eq(accounts.id, alice));
    const config = await serverConfig();
    assert.equal(config.serverMetadata().introspection_endpoint, `${ISSUER}/oidc/introspect`);
    const { url, verifier, state, nonce } = await start(config);
    const tokens = await oidc.authorizationCodeGrant(config, await callbackFor(url, aliceCookie), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const sid = tokens.claims()!.sid;
    assert.equal(typeof sid, "string");
    const refresh = await oidc.tokenIntrospection(config, tokens.refresh_token!, {
      token_type_hint: "refresh_token",
    });
    assert.equal(refresh.active, true);
    assert.equal(refresh.sub, alice);
    assert.equal(refresh.sid, sid);
    assert.equal(refresh.token_type, "refresh_token");
    const access = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(access.active, true);
    assert.equal(access.sid, sid);
    // Unknown tokens, and a hint that points at the wrong kind, tell nothing.
    assert.deepEqual(await oidc.tokenIntrospection(config, "not-a-token"), { active: false });
    assert.deepEqual(
      await oidc.tokenIntrospection(config, tokens.refresh_token!, { token_type_hint: "access_token" }),
      { active: false },
    );
    // Without client authentication the endpoint refuses.
    const anonymous = await app.request(`${ISSUER}/oidc/introspect`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: tokens.access_token }).toString(),
    });
    assert.equal(anonymous.status, 401);
    const account = (await getAccount(deps, alice))!;
    assert.deepEqual(
      await changePassword(deps, account, "old passphrase 123", "a new passphrase 456", "none"),
      { ok: true },
    );
    assert.deepEqual(await oidc.tokenIntrospection(config, tokens.refresh_token!), { active: false });
    assert.deepEqual(await oidc.tokenIntrospection(config, tokens.access_token), { active: false });
  });

  test("a rotated refresh token is inactive; its successor is active", async () => {
    const config = await serverConfig();
    const { url, verifier, state, nonce } = await start(config);
    const first = await oidc.authorizationCodeGrant(config, await callbackFor(url, aliceCookie), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.deepEqual(await oidc.tokenIntrospection(config, first.refresh_token!), { active: false });
    assert.equal((await oidc.tokenIntrospection(config, second.refresh_token!)).active, true);
  });
});

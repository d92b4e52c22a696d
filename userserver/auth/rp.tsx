/**
 * The user server as an OpenID Connect relying party of IdCloud, with `openid-client` v6.
 *
 *   const auth = createAuth({ db, log, publicOrigin, issuer, clientId, serverKey, cloudUrl, caPem });
 *   app.route("/", auth.routes);          // /auth/login, /auth/callback, /auth/logout, /auth/logged-out
 *   app.use("*", auth.requireOwner);      // everything after this is the owner's
 *
 * The server authenticates at IdCloud's token endpoint with `private_key_jwt` signed by its
 * server key, and token requests go straight to the cloud tier (`cloudUrl`, trusting `caPem`),
 * never through a relay. IdCloud says in the id_token whether the account owns this server
 * (`hearth_owner`). The owner is admitted; another signed-in account sees "this server belongs to
 * someone else" at `/` and 404 everywhere else; nobody signed in is sent to IdCloud.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import * as oidc from "openid-client";
import type { Database } from "../../platform/db.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type * as schema from "../../shared/db/userserver/schema.ts";
import { base64url } from "../../shared/crypto/mod.ts";
import * as jose from "jose";
import { createSession, deleteSession, markChecked, readSession, type SignedInUser } from "./session.ts";
import { createSessionCheck, type GrantAuthority } from "./session_check.ts";
import { LogoutPage, NotFoundPage, SignedOutPage, SignInProblemPage, SomeoneElsePage } from "./views.tsx";
import { safeReturnTo } from "../../shared/auth/return_to.ts";

type Db = Database<typeof schema>;

export interface AuthOptions {
  /** The user server's DB (the core opens it before sign-in is built). */
  db: Db;
  log: Logger;
  /** This server's public origin, e.g. `https://alice.hearth.localhost:8443`. */
  publicOrigin: string;
  /** IdCloud's issuer: the origin browsers use, e.g. `https://id.hearth.localhost:8787`. */
  issuer: string;
  /** The client id (the server id from registration); null while unregistered. */
  clientId: string | null;
  /** The server key's private half (ECDSA P-256): signs the client assertions. */
  serverKey: CryptoKey | null;
  /** Where the cloud tier is actually reached (e.g. `https://127.0.0.1:8787`); the issuer's name is kept for TLS and Host. */
  cloudUrl?: string;
  /** A CA to trust for the cloud tier (the dev CA). */
  caPem?: string;
  /** How often a session asks IdCloud whether its grant still stands (seconds; default 60). */
  sessionCheckSeconds?: number;
  now?: () => number;
}

export interface Auth {
  routes: Hono;
  requireOwner: MiddlewareHandler;
  currentUser(c: Context): Promise<SignedInUser | undefined>;
}

const TX_COOKIE = "hearth_auth_tx";
const TX_MAX_AGE_S = 600;
// offline_access: the grant's refresh token is what the server introspects to learn that a
// password change at IdCloud ended its sessions (session_check.ts).
const SCOPE = "openid email offline_access";

export class AuthConfigError extends Error {
  override name = "AuthConfigError";
}

/** IdCloud's issuer for a server configured with `zone` and `cloudUrl`: `https://id.<zone>` on the cloud tier's port. */
export function issuerFor({ zone, cloudUrl }: { zone: string; cloudUrl: string }): string {
  const port = new URL(cloudUrl).port;
  return `https://id.${zone}${port ? `:${port}` : ""}`;
}

/**
 * A fetch for openid-client that reaches the issuer's host at `cloudUrl` (keeping its name for
 * TLS and Host) and trusts `caPem`.
 */
export function cloudFetch(
  issuer: string,
  { cloudUrl, caPem }: { cloudUrl?: string; caPem?: string },
): oidc.CustomFetch {
  const issuerUrl = new URL(issuer);
  const target = cloudUrl ? new URL(cloudUrl) : null;
  return (url, options) => {
    const u = new URL(url);
    const headers = new Headers(options.headers as HeadersInit);
    let dest = u;
    if (target && u.host === issuerUrl.host) {
      dest = new URL(u.pathname + u.search, target);
      headers.set("host", u.host);
    }
    return fetch(dest, {
      method: options.method,
      headers,
      body: options.body as BodyInit | undefined,
      redirect: "manual",
      signal: options.signal,
      tls: { ca: caPem, serverName: u.hostname },
    } as RequestInit);
  };
}

export function createAuth(opts: AuthOptions): Auth {
  const { log, publicOrigin, issuer, clientId, serverKey } = opts;
  const getDb = (): Db => opts.db;
  const now = opts.now ?? Date.now;
  const serverName = new URL(publicOrigin).hostname;
  const redirectUri = `${publicOrigin}/auth/callback`;
  const loggedOutUri = `${publicOrigin}/auth/logged-out`;
  const fetcher = cloudFetch(issuer, opts);
  let config: Promise<oidc.Configuration> | null = null;

  /** Discovery, once; a failure is forgotten so the next request tries again. */
  const getConfig = () => {
    if (!clientId || !serverKey) {
      return Promise.reject(new AuthConfigError("This server is not registered with Hearth yet"));
    }
    config ??= oidc.discovery(
      new URL(issuer),
      clientId,
      { id_token_signed_response_alg: "RS256" },
      oidc.PrivateKeyJwt(serverKey),
      {
        [oidc.customFetch]: fetcher,
      },
    ).then((cfg) => {
      cfg[oidc.customFetch] = fetcher;
      // Verify id_token signatures against IdCloud's JWKS too, not only TLS.
      oidc.enableNonRepudiationChecks(cfg);
      return cfg;
    }).catch((err) => {
      config = null;
      throw err;
    });
    return config;
  };

  const authority: GrantAuthority = {
    introspect: async (token) => {
      const answer = await oidc.tokenIntrospection(await getConfig(), token, {
        token_type_hint: "refresh_token",
      });
      return { active: answer.active, exp: answer.exp };
    },
    rotate: async (token) => {
      try {
        return (await oidc.refreshTokenGrant(await getConfig(), token)).refresh_token ?? null;
      } catch (err) {
        if (err instanceof oidc.ResponseBodyError && err.error === "invalid_grant") return null;
        throw err;
      }
    },
  };
  const sessionStillValid = createSessionCheck({
    intervalMs: (opts.sessionCheckSeconds ?? 60) * 1000,
    authority,
    markChecked: (id, at, token) => markChecked(getDb(), id, at, token),
    log,
    now,
  });

  const currentUser = async (c: Context): Promise<SignedInUser | undefined> => {
    const cached = c.get("hearthUser" as never) as SignedInUser | null | undefined;
    if (cached !== undefined) return cached ?? undefined;
    let user = await readSession(c, getDb(), now());
    if (user && !(await sessionStillValid(user))) {
      await deleteSession(c, getDb(), user.sessionId);
      user = null;
    }
    c.set("hearthUser" as never, user as never);
    return user ?? undefined;
  };

  const routes = new Hono();
  routes.get("/auth/login", async (c) => {
    const returnTo = safeReturnTo(c.req.query("return_to"));
    let cfg: oidc.Configuration;
    try {
      cfg = await getConfig();
    } catch (err) {
      log.warn("sign-in unavailable", { err: (err as Error).message });
      return c.html(
        <SignInProblemPage
          title="Sign-in is unavailable"
          message={err instanceof AuthConfigError
            ? err.message
            : "Hearth ID cannot be reached right now. Try again in a moment."}
        />,
        503,
      );
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const tx = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, returnTo };
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: tx.state,
      nonce: tx.nonce,
    });
    setCookie(c, TX_COOKIE, base64url(new TextEncoder().encode(JSON.stringify(tx))), {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Lax", // sent on IdCloud's top-level redirect back to /auth/callback
      maxAge: TX_MAX_AGE_S,
      prefix: "host",
    });
    c.header("cache-control", "no-store");
    return c.redirect(url.toString(), 303);
  });

  routes.get("/auth/callback", async (c) => {
    const tx = readTx(c);
    deleteCookie(c, TX_COOKIE, { path: "/", secure: true, prefix: "host" });
    c.header("cache-control", "no-store");
    const url = new URL(c.req.url);
    const current = new URL(`${url.pathname}${url.search}`, publicOrigin);
    if (current.searchParams.get("error") === "access_denied") {
      return c.html(<SignInProblemPage title="Sign-in cancelled" message="You chose not to sign in." />, 403);
    }
    if (!tx) return c.redirect("/auth/login", 303); // expired or from another browser: start over
    try {
      const cfg = await getConfig();
      const tokens = await oidc.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      const previous = await currentUser(c);
      if (previous) await deleteSession(c, getDb(), previous.sessionId);
      await createSession(c, getDb(), now(), {
        sub: claims.sub,
        email: typeof claims.email === "string" ? claims.email : "",
        isOwner: claims.hearth_owner === true,
        servers: Array.isArray(claims.hearth_servers)
          ? claims.hearth_servers.filter((s): s is string => typeof s === "string")
          : [],
        idToken: tokens.id_token!,
        refreshToken: tokens.refresh_token ?? null,
      });
      log.info("signed in", { sub: claims.sub, owner: claims.hearth_owner === true });
      return c.redirect(tx.returnTo, 303);
    } catch (err) {
      log.warn("sign-in failed", { err: (err as Error).message, code: (err as { error?: string }).error });
      return c.html(
        <SignInProblemPage
          title="Sign-in failed"
          message="Hearth ID's answer could not be accepted. Please try again."
        />,
        400,
      );
    }
  });

  routes.get("/auth/logout", async (c) => {
    const user = await currentUser(c);
    if (!user) return c.redirect("/auth/logged-out", 303);
    return c.html(<LogoutPage email={user.email || user.sub} />);
  });

  routes.post("/auth/logout", async (c) => {
    const origin = c.req.header("origin");
    if (origin && origin !== publicOrigin) return c.text("Cross-origin sign-out refused", 403);
    const user = await currentUser(c);
    if (!user) return c.redirect("/auth/logged-out", 303);
    await deleteSession(c, getDb(), user.sessionId);
    c.set("hearthUser" as never, null as never);
    try {
      const cfg = await getConfig();
      // RP-initiated logout: IdCloud ends its session too, then sends the browser back here.
      const end = oidc.buildEndSessionUrl(cfg, {
        id_token_hint: user.idToken,
        post_logout_redirect_uri: loggedOutUri,
      });
      return c.redirect(end.toString(), 303);
    } catch (err) {
      log.warn("cannot reach IdCloud to end its session", { err: (err as Error).message });
      return c.redirect("/auth/logged-out", 303);
    }
  });

  routes.get("/auth/logged-out", (c) => c.html(<SignedOutPage serverName={serverName} />));

  const requireOwner: MiddlewareHandler = async function requireOwner(c, next) {
    const user = await currentUser(c);
    if (!user) {
      const path = new URL(c.req.url).pathname + new URL(c.req.url).search;
      const login = `/auth/login?return_to=${encodeURIComponent(path)}`;
      if (c.req.header("hx-request")) {
        c.header("hx-redirect", `/auth/login?return_to=${encodeURIComponent(currentPagePath(c) ?? "/")}`);
        return c.body(null, 401);
      }
      // An upload's requests (tus HEAD included) hear 401, not a redirect an XHR would follow to
      // another origin: the upload panel then offers sign-in and resumes (files/client/uploads.ts).
      const upload = c.req.path.startsWith("/upload/") || c.req.header("tus-resumable") !== undefined;
      if (!upload && (c.req.method === "GET" || c.req.method === "HEAD")) return c.redirect(login, 303);
      return c.text("Sign in first", 401);
    }
    if (!user.isOwner) {
      // No hint of what exists here: one page at `/`, 404 everywhere else.
      if (c.req.path === "/") {
        return c.html(<SomeoneElsePage serverName={serverName} email={user.email || user.sub} />, 403);
      }
      return c.html(<NotFoundPage />, 404);
    }
    await next();
  };

  return { routes, requireOwner, currentUser };
}

interface Tx {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

function readTx(c: Context): Tx | null {
  const raw = getCookie(c, TX_COOKIE, "host");
  if (!raw) return null;
  try {
    const tx = JSON.parse(new TextDecoder().decode(jose.base64url.decode(raw)));
    if ([tx.state, tx.nonce, tx.verifier, tx.returnTo].some((v) => typeof v !== "string")) return null;
    return { ...tx, returnTo: safeReturnTo(tx.returnTo) };
  } catch {
    return null;
  }
}

function currentPagePath(c: Context): string | null {
  const page = c.req.header("hx-current-url");
  if (!page) return null;
  try {
    const u = new URL(page);
    return u.pathname + u.search;
  } catch {
    return null;
  }
}

export { safeReturnTo } from "../../shared/auth/return_to.ts";

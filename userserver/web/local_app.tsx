/**
 * The local listener (`local.<name>.<zone>`, loopback only): health, the first-run setup behind a
 * one-time token printed to the owner's console, the local sign-in (userserver/local), and then
 * everything the relayed UI does — the same plugins behind the same door, with a local session as
 * the owner's proof (`shell`). WebDAV clients on this machine reach `/dav/` with an app password,
 * as through a relay. Any Host but this listener's own names is refused before routing (DNS
 * rebinding); the peer checks (loopback, same OS user) run in the listener (web/mod.ts).
 * ARCHITECTURE.md §5–6.
 */
import { type Context, Hono } from "hono";
import { DAV_METHODS, DAV_PREFIX } from "../dav/mod.ts";
import { constantTimeEqual } from "../../shared/crypto/mod.ts";
import type { SetupRegistered, SetupRegistration } from "../registration/setup.ts";
import { Layout } from "./layout_public.tsx";
import { plainOnError, webGuard } from "./guard.tsx";
import { type Logger, silentLogger } from "../../shared/log/mod.ts";

export interface FirstRunSetup {
  /** The one-time token while setup is pending; undefined once used (or when setup is done). */
  token(): string | undefined;
  /** Saves the choices and burns the token; throws with a sentence for a bad value. */
  complete(input: { importRoots: string[] }): void;
  /** Registration with RegCloud from this page (userserver/registration/setup.ts); without it the page shows the CLI command. */
  registration?: SetupRegistration;
}

export interface LocalAppOptions {
  name: string;
  publicOrigin: string;
  /** Host names this listener answers to (DNS-rebinding check), e.g. `local.alice.hearth.localhost:9443`. */
  hosts?: string[];
  /** The connector's tunnels (relay ids only: no user data). */
  tunnels?: () => { relayId: string; upAt: number }[];
  /** Why relays refuse this server, when the cloud's operator stopped it. */
  refusal?: () => { message: string; at: number } | undefined;
  setup?: FirstRunSetup;
  /** WebDAV at `/dav/` (userserver/dav: app passwords only). */
  dav?: (c: Context) => Promise<Response>;
  /** The local sign-in's routes (`/local/…`). */
  signIn?: Hono;
  /** Whether this request carries a live local session. */
  signedIn?: (c: Context) => boolean;
  /** The shell behind the local sign-in: every other path is its (userserver/local). */
  shell?: Hono<any>;
  log?: Logger;
}

export function createLocalApp(
  {
    name,
    publicOrigin,
    hosts,
    tunnels = () => [],
    refusal = () => undefined,
    setup,
    dav,
    signIn,
    signedIn,
    shell,
    log = silentLogger,
  }: LocalAppOptions,
): Hono {
  const app = new Hono();
  // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host: refused first.
  const hostOk = (host: string | undefined) => !hosts || (host !== undefined && hosts.includes(host));
  app.use("*", async function exactHost(c, next) {
    if (!hostOk(c.req.header("host") ?? new URL(c.req.url).host)) {
      return c.text(`This listener answers only to ${hosts?.[0] ?? "its own name"}.`, 421);
    }
    await next();
  });
  // State-changing requests only from a page this listener served (its own names, with port).
  app.use("*", ...webGuard(hosts?.map((h) => `https://${h}`)));
  app.onError(plainOnError(log));
  if (dav) app.on([...DAV_METHODS], [DAV_PREFIX, `${DAV_PREFIX}/*`], (c) => dav(c));
  app.get(
    "/healthz",
    (c) =>
      c.json({
        ok: true,
        service: "userserver",
        listener: "local",
        name,
        tunnels: tunnels(),
        refusal: refusal(),
      }),
  );
  app.get("/", (c) =>
    signedIn?.(c) ? c.redirect("/browse", 303) : c.html(
      <Layout title={`Hearth · ${name}`}>
        <h1>
          <span>Hearth</span> is running
        </h1>
        <p>
          This is <strong>{name}</strong>'s personal cloud, on this machine.
        </p>
        {signIn
          ? (
            <p>
              <a class="button" href="/local/signin">Sign in on this computer</a>
            </p>
          )
          : ""}
        <p class="muted">
          Your data is shown only after you sign in. From anywhere, open{" "}
          <a href={publicOrigin}>{publicOrigin}</a>.
        </p>
      </Layout>,
    ));
  if (signIn) app.route("/", signIn);

  // First-run setup: only here, only with the token, only from a page this listener served.
  const tokenOk = (given: unknown) => {
    const t = setup?.token();
    return t !== undefined && typeof given === "string" && constantTimeEqual(given, t);
  };
  const refuse = (status: 403 | 404, why: string) =>
    new Response(
      `<!doctype html><meta charset="utf-8"><title>Setup</title><p>${why}</p>`,
      { status, headers: { "content-type": "text/html; charset=utf-8" } },
    );
  const tokenGone = () => refuse(404, "No setup is pending, or this setup link is not valid.");
  const wrongHost = () => refuse(403, "Open the setup link exactly as it was printed.");
  const page = (token: string, extra: Partial<SetupPageProps> = {}) => (
    <SetupPage
      token={token}
      name={name}
      registration={setup?.registration}
      registered={setup?.registration?.current()}
      {...extra}
    />
  );

  app.get("/setup", (c) => {
    if (!hostOk(c.req.header("host"))) return wrongHost();
    if (!tokenOk(c.req.query("token"))) return tokenGone();
    return c.html(page(c.req.query("token")!));
  });
  app.post("/setup/register", async (c) => {
    if (!hostOk(c.req.header("host"))) return wrongHost();
    const form = await c.req.parseBody();
    if (!tokenOk(form.token)) return tokenGone();
    const token = String(form.token);
    const registration = setup?.registration;
    if (!registration) {
      return c.html(page(token, { registerError: "Registration from this page is not available here" }), 404);
    }
    try {
      const done = await registration.register(String(form.registrationToken ?? ""));
      return c.html(page(token, { registered: done, justRegistered: true }));
    } catch (e) {
      return c.html(page(token, { registerError: (e as Error).message }), 400);
    }
  });
  app.post("/setup", async (c) => {
    if (!hostOk(c.req.header("host"))) return wrongHost();
    const form = await c.req.parseBody();
    if (!tokenOk(form.token)) return tokenGone();
    const roots = String(form.importRoots ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
    try {
      setup!.complete({ importRoots: roots });
    } catch (e) {
      return c.html(
        page(String(form.token), { error: (e as Error).message, draft: String(form.importRoots ?? "") }),
        400,
      );
    }
    const reg = setup?.registration?.current();
    return c.html(
      <Layout title="Setup complete">
        <h1>Setup complete</h1>
        {reg?.restartNeeded
          ? (
            <p class="notice">
              Restart the user server once (stop it, then start it again) so it uses its new certificate and
              connects to the relays.
            </p>
          )
          : ""}
        {setup?.registration && !reg
          ? (
            <p class="notice error">
              This server is not registered yet: run <code>bun run userserver register &lt;token&gt;</code>.
            </p>
          )
          : ""}
        <p>
          Open <a href={publicOrigin}>{publicOrigin}</a> and sign in.
        </p>
      </Layout>,
    );
  });
  // Everything else: the shell, behind its own door (a local session is the owner's proof).
  if (shell) app.all("*", (c) => shell.fetch(c.req.raw, c.env));
  return app;
}

interface SetupPageProps {
  token: string;
  name: string;
  registration?: SetupRegistration;
  registered?: SetupRegistered;
  /** Registered by the form just now (the page says so and what comes next). */
  justRegistered?: boolean;
  registerError?: string;
  error?: string;
  draft?: string;
}

function SetupPage(
  { token, name, registration, registered, justRegistered, registerError, error, draft }: SetupPageProps,
) {
  return (
    <Layout title="Set up Hearth" wide>
      <h1>Set up Hearth</h1>
      <p class="lead">
        First run of{" "}
        <strong>{name}</strong>'s server. This page is only on this machine, behind the one-time link printed
        in its console.
      </p>

      <section class="setup-step" aria-labelledby="register-title">
        <h2 id="register-title">
          <span class="step" aria-hidden="true">1</span> Register this server
        </h2>
        {registerError ? <p class="notice error" role="alert">Registration failed: {registerError}</p> : ""}
        {registered
          ? (
            <div class="notice ok" role="status">
              <p>
                {justRegistered ? "Registered. " : ""}This server is <strong>{registered.name}</strong>{" "}
                (<a href={registered.publicOrigin}>{registered.publicOrigin}</a>).
              </p>
              {registered.restartNeeded
                ? (
                  <p>
                    <strong>Restart needed:</strong>{" "}
                    stop the user server and start it again, so it uses its new certificate, lets you sign in
                    and connects to the relays.
                  </p>
                )
                : ""}
            </div>
          )
          : registration
          ? (
            <form method="post" action="/setup/register">
              <input type="hidden" name="token" value={token} />
              <div class="field">
                <label for="registrationToken">Registration token</label>
                <input
                  type="text"
                  id="registrationToken"
                  name="registrationToken"
                  required
                  autocomplete="off"
                  spellcheck={false}
                  placeholder="hrt_…"
                  class="mono"
                  aria-describedby="registrationTokenHint"
                />
                <span class="hint" id="registrationTokenHint">
                  On your{" "}
                  <a href={registration.tokenPageUrl}>Hearth ID account page, under “Servers”</a>, claim the
                  name <strong>{name}</strong>{" "}
                  and paste the one-time token here. It is sent straight to Hearth's registration service,
                  never through a relay.
                </span>
              </div>
              <button type="submit">Register</button>
            </form>
          )
          : (
            <p>
              Register from a terminal on this machine with the token from your Hearth ID account page:{" "}
              <code>bun run userserver register &lt;token&gt;</code>
            </p>
          )}
      </section>

      <section class="setup-step" aria-labelledby="import-title">
        <h2 id="import-title">
          <span class="step" aria-hidden="true">2</span> Choose folders to import from
        </h2>
        <form method="post" action="/setup">
          {error ? <p class="notice error" role="alert">{error}</p> : ""}
          <input type="hidden" name="token" value={token} />
          <div class="field">
            <label for="importRoots">Folders Hearth may import from</label>
            <textarea id="importRoots" name="importRoots" rows={4} aria-describedby="importRootsHint">
              {draft ?? ""}
            </textarea>
            <span class="hint" id="importRootsHint">
              One absolute path per line. Nothing outside them is ever read; you can change them later in
              Settings.
            </span>
          </div>
          <button type="submit">Finish setup</button>
        </form>
      </section>
    </Layout>
  );
}

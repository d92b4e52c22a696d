/**
 * The relayed listener: what browsers reach through a relay (`<name>.<zone>`). TLS ends here,
 * on the user's own machine; the relay only ever saw encrypted bytes. Every response carries the
 * security headers and every state-changing request passes the one CSRF check (guard.tsx). Public:
 * `/healthz`, the static files (`/_static/`) and (benchmarks only) `/_bytes/<n>`. Everything else
 * goes through ONE door: the shell decides who is asking (`c.var.viewer`) once, and a plugin's
 * route answers only the viewers its route group admits; anyone else meets the sign-in's answer
 * (sign in, or 404), as if the route did not exist.
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../../shared/log/mod.ts";
import { silentLogger } from "../../shared/log/mod.ts";
import { Layout } from "./layout_public.tsx";
import { mountStatic } from "./static.ts";
import { mountPwa } from "../pwa/mod.ts";
import { errorPage, plainOnError, webGuard } from "./guard.tsx";
import type { ShellAuth } from "./auth.ts";
import type { Core } from "../core/mod.ts";
import { ANONYMOUS, type Viewer } from "../permissions/mod.ts";
import { actingAs } from "../signals/mod.ts";
import type { Plugins, ShellEnv } from "../plugins/mod.ts";
import { render, type ShellInfo } from "./render.tsx";
import { ItemNotFoundError, storageFailure } from "../store/mod.ts";

const MAX_STREAM_BYTES = 64 * 1024 ** 3;

/** What the shell mounts: the core and the plugins built on it (absent: only the public routes). */
export interface ShellCore {
  core: Core;
  plugins: Plugins;
}

export interface RelayedAppOptions {
  name: string;
  enableByteStream: boolean;
  /** This server's own origins (relayed and local names, with port): the only ones allowed to post. */
  origins?: string[];
  /** The owner check. Without it, user data is refused with a clear message. */
  auth?: ShellAuth;
  core?: ShellCore;
  /** IdCloud's origin (with port in dev), for the account menu's links. */
  idOrigin?: string;
  /** Which listener serves this shell (default relayed). */
  listener?: "relayed" | "local";
  /** Relayed: a fresh probe of the local listener per page (userserver/local/here.ts). */
  localProbe?: () => { origin: string; challenge: string; answer: string };
  log?: Logger;
}

export function createRelayedApp(
  {
    name,
    enableByteStream,
    origins,
    auth,
    core,
    idOrigin,
    listener = "relayed",
    localProbe,
    log = silentLogger,
  }: RelayedAppOptions,
): Hono<any> {
  const app = new Hono<ShellEnv>();
  app.use("*", ...webGuard(origins, localProbe ? [localProbe().origin] : []));
  app.onError(plainOnError(log)); // replaced below by the shell's, once there is an owner to show it to
  app.get("/healthz", (c) => c.json({ ok: true, service: "userserver", listener: "relayed", name }));
  mountStatic(app);
  mountPwa(app, name);
  if (enableByteStream) mountByteStream(app);
  if (auth?.routes) app.route("/", auth.routes);

  if (!auth) {
    // No sign-in configured: a landing page, and a clear refusal for everything else.
    app.get("/", (c) =>
      c.html(
        <Layout title={`Hearth · ${name}`}>
          <h1>
            Welcome to <span class="accent">{name}</span>'s Hearth
          </h1>
          <p>
            This page was served by {name}'s own machine. The relay that carried it saw only encrypted bytes.
          </p>
          <p class="muted">Sign-in is not set up on this server yet, so it shows no data.</p>
        </Layout>,
      ));
    app.all("*", (c) =>
      c.html(
        <Layout title="Sign-in is not set up">
          <h1>Sign-in is not set up</h1>
          <p>This server shows no data until sign-in with its owner's account is configured.</p>
        </Layout>,
        503,
      ));
    return app;
  }

  const shell: ShellInfo = {
    name,
    tabs: (kind) => (core?.plugins.nav(kind) ?? []).map((n) => ({ label: n.label, path: n.path })),
    places: (kind) => core?.plugins.places(kind) ?? [],
    unseen: () => core?.core.notifications.unseenCount() ?? Promise.resolve(0),
    account: async (c) => {
      const user = await auth.currentUser(c);
      return user && idOrigin
        ? { who: user.name, idOrigin, localProbe: localProbe?.(), onThisComputer: listener === "local" }
        : undefined;
    },
    listener,
  };

  // The door: who is asking, decided once for every route registered after this line.
  app.use("*", async function setViewer(c, next) {
    const viewer = await viewerOf(c);
    c.set("viewer", viewer);
    c.set("shell", shell);
    // What this request changes is attributed to this viewer (activity's "who").
    await actingAs(viewer, next);
  });
  /** ACLs name the owner by this server's user name, whatever IdCloud calls the account (an email). */
  const viewerOf = async (c: Context): Promise<Viewer> => {
    const user = await auth.currentUser(c);
    if (user && (user.isOwner || user.name === name)) return { kind: "owner", name };
    // Friends, devices and link guests are recognised by the plugins that bring them (a friend
    // signed in with their own account by the servers it owns).
    const signedIn = user ? { name: user.name, servers: user.servers ?? [] } : undefined;
    return (core ? await core.plugins.recognise(c, core.core, signedIn) : undefined) ?? ANONYMOUS;
  };
  /** Whoever the door does not admit gets the sign-in's answer: sign in, or "not yours" / 404. */
  const refuse = async (c: Context<ShellEnv>, otherwise: () => Promise<Response>) =>
    (await auth.requireOwner(c, async () => void (c.res = await otherwise()))) ?? c.res;
  app.get(
    "/",
    (c) =>
      c.get("viewer").kind === "owner"
        ? c.redirect(shell.tabs()[0]?.path ?? "/settings", 303)
        : c.get("viewer").kind === "device" // a paired phone's home: the first tab it may open (Browse)
        ? c.redirect(shell.tabs("device")[0]?.path ?? "/browse", 303)
        : c.get("viewer").kind === "friend"
        ? c.redirect("/f/", 303) // a friend's own view: what is shared with them (userserver/friends)
        : refuse(c, () => Promise.resolve(c.text("Not found", 404))),
  );
  core?.plugins.mount(app, core.core);
  const notFoundPage = (c: Context<ShellEnv>) =>
    render(c, shell, {
      title: "Not found",
      status: 404,
      body: (
        <section class="card">
          <h1>Not found</h1>
          <p class="muted">There is nothing at {c.req.path}.</p>
          <p>
            <a href="/">Back to your files</a>
          </p>
        </section>
      ),
    });
  app.notFound((c) => c.get("viewer")?.kind === "owner" ? notFoundPage(c) : refuse(c, () => notFoundPage(c)));
  app.onError((err, c) => {
    // A full disk or an unwritable store is said as such (507/503), not as a generic 500.
    const storage = storageFailure(err);
    const status = err instanceof HTTPException
      ? err.status
      : err instanceof ItemNotFoundError
      ? 404
      : storage?.status ?? 500;
    if (status >= 500) {
      log.error("request failed", { path: c.req.path, error: err.message, code: storage?.code });
    }
    const message = storage?.message ??
      (status >= 500 ? "Something went wrong on this server. It has been logged." : err.message);
    // The JSON APIs answer in JSON.
    if (c.req.path.startsWith("/api/")) return c.json({ error: message }, status as 400);
    // The shell (nav, unseen count) only for the owner; anyone else gets a page with no user data.
    if (c.get("viewer")?.kind !== "owner") return errorPage(c, status, message);
    return render(c, shell, {
      title: status === 404 ? "Not found" : "Error",
      status: status as 404,
      body: (
        <section class="card">
          <h1>{status === 404 ? "Not found" : "That did not work"}</h1>
          <p class="muted">{message}</p>
          <p>
            <a href="/">Back to your files</a>
          </p>
        </section>
      ),
    });
  });
  return app;
}

function mountByteStream(app: Hono<any>): void {
  app.get("/_bytes/:n", (c) => {
    const n = Number(c.req.param("n"));
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_STREAM_BYTES) {
      return c.json({
        error: `Byte count "${c.req.param("n")}" must be an integer from 0 to ${MAX_STREAM_BYTES}`,
      }, 400);
    }
    return new Response(byteStream(n), {
      headers: { "content-type": "application/octet-stream", "content-length": String(n) },
    });
  });
}

/** n bytes of a repeating pattern, in 256 KiB chunks pulled as the client reads. */
function byteStream(n: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(256 * 1024).map((_, i) => i & 0xff);
  let left = n;
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close();
      const size = Math.min(left, chunk.length);
      controller.enqueue(size === chunk.length ? chunk : chunk.subarray(0, size));
      left -= size;
    },
  }, { highWaterMark: 0 });
}

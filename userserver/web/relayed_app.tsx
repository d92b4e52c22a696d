/**
 * The relayed listener: what browsers reach through a relay (`<name>.<zone>`). TLS ends here,
 * on the user's own machine; the relay only ever saw encrypted bytes. Public: `/healthz`, the static
 * files and (benchmarks only) `/_bytes/<n>`. Everything else goes through ONE owner check
 * (`auth.requireOwner`). Every response carries the security headers, every state-changing request
 * passes the one CSRF check (userserver/web/guard.ts).
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../../shared/log/mod.ts";
import { silentLogger } from "../../shared/log/mod.ts";
import { Layout } from "./layout_public.tsx";
import { mountStatic } from "./static.ts";
import { errorPage, plainOnError, webGuard } from "./guard.tsx";
import type { ShellAuth } from "./auth.ts";
import type { PluginContext, PluginHost, ShellApp, ShellEnv } from "../plugins/mod.ts";
import { render, type ShellInfo } from "./render.tsx";
import { ItemNotFoundError } from "../store/mod.ts";

const MAX_STREAM_BYTES = 64 * 1024 ** 3;

/** Everything the shell needs once the core modules run (absent: only the public routes). */
export interface ShellCore {
  ctx: PluginContext;
  plugins: PluginHost;
  /** Shell routes that are not plugins (Settings, notifications), mounted after the plugins. */
  shellRoutes: Array<(app: ShellApp, shell: ShellInfo) => void>;
}

export interface RelayedAppOptions {
  name: string;
  enableByteStream: boolean;
  /** This server's own origins (relayed and local names, with port): the only ones allowed to post. */
  origins?: string[];
  /** The owner check. Without it, user data is refused with a clear message. */
  auth?: ShellAuth;
  core?: ShellCore;
  log?: Logger;
}

export function createRelayedApp(
  { name, enableByteStream, origins, auth, core, log = silentLogger }: RelayedAppOptions,
): Hono<any> {
  const app = new Hono<ShellEnv>();
  app.use("*", ...webGuard(origins));
  app.onError(plainOnError(log)); // replaced below by the shell's, once there is an owner to show it to
  app.get("/healthz", (c) => c.json({ ok: true, service: "userserver", listener: "relayed", name }));
  mountStatic(app);
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
    tabs: () => [
      ...(core?.plugins.nav() ?? []).map((n) => ({ label: n.label, path: n.path })),
      { label: "Settings", path: "/settings" },
    ],
    unseen: () => core?.ctx.notifications.unseenCount() ?? Promise.resolve(0),
  };

  // The one owner check: every route registered after this line is behind it.
  app.use("*", auth.requireOwner as MiddlewareHandler<ShellEnv>);
  app.use("*", async function setViewer(c, next) {
    // ACLs name the owner by this server's user name, whatever IdCloud calls the account
    // (an email); other accounts (friends, later) by their own names.
    const user = await auth.currentUser(c);
    c.set("viewer", user ? (user.isOwner ? { name } : { name: user.name }) : undefined);
    await next();
  });
  app.get("/", (c) => c.redirect(shell.tabs()[0].path, 303));
  if (core) {
    core.plugins.mount(app, core.ctx);
    for (const mount of core.shellRoutes) mount(app, shell);
  }
  // The shell (nav, unseen count) only for the owner; anyone else gets a page with no user data.
  const isOwner = (c: Context<ShellEnv>) => c.get("viewer")?.name === name;
  app.notFound((c) => {
    if (!isOwner(c)) return errorPage(c, 404, `There is nothing at ${c.req.path}.`);
    return render(c, shell, {
      title: "Not found",
      status: 404,
      body: (
        <section class="card">
          <h1>Not found</h1>
          <p class="muted">There is nothing at {c.req.path}.</p>
        </section>
      ),
    });
  });
  app.onError((err, c) => {
    const status = err instanceof HTTPException ? err.status : err instanceof ItemNotFoundError ? 404 : 500;
    if (status >= 500) log.error("request failed", { path: c.req.path, error: err.message });
    const message = status >= 500 ? "Something went wrong on this server. It has been logged." : err.message;
    if (!isOwner(c)) return errorPage(c, status, message);
    return render(c, shell, {
      title: status === 404 ? "Not found" : "Error",
      status: status as 404,
      body: (
        <section class="card">
          <h1>{status === 404 ? "Not found" : "That did not work"}</h1>
          <p class="muted">{message}</p>
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

/**
 * The WebDAV plugin: `/dav/` for Finder, Explorer, GNOME Files, davfs2 and rclone (routes.ts),
 * signed in with app passwords (app_passwords.ts; Basic auth over TLS, since native clients cannot
 * do OpenID Connect). A request with a valid app password is a `device` viewer; a request to
 * `/dav/` with none gets a Basic challenge, never the sign-in redirect.
 */
import { Hono } from "hono";
import { auth as basicAuth } from "hono/utils/basic-auth";
import { clientAddress } from "../web/client_address.ts";
import type { Context } from "hono";
import { davProps } from "../../shared/db/userserver/schema.ts";
import { eq } from "drizzle-orm";
import type { Core } from "../core/mod.ts";
import { FileOps } from "../files/ops.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import type { Viewer } from "../permissions/mod.ts";
import { actingAs } from "../signals/mod.ts";
import { render } from "../web/render.tsx";
import { AppPasswordError, AppPasswords } from "./app_passwords.ts";
import { Locks } from "./locks.ts";
import { createDavHandler, DAV_METHODS, DAV_PREFIX } from "./routes.ts";
import { AppPasswordsSection } from "./settings.tsx";

export { AppPasswords } from "./app_passwords.ts";
export { DAV_PREFIX } from "./routes.ts";

export interface Dav {
  /** Behind the relayed listener's door (the owner or a device). */
  plugin: Plugin;
  /**
   * For the local listener, which has no door of its own: an app password, or a Basic challenge.
   * The same locks and app passwords as through the relay.
   */
  serveDirect(c: Context): Promise<Response>;
}

export function createDav(core: Core): Dav {
  const passwords = new AppPasswords(core.db);
  const locks = new Locks();
  const ops = new FileOps(core.db, core.store, core.signals);
  const handler = createDavHandler({
    core,
    ops,
    locks,
    principalOf: (c) => {
      const v = (c as Context<ShellEnv>).get("viewer");
      return v.kind === "device" ? v.id : "owner";
    },
  });
  const davUrl = (c: Context) => new URL(`${DAV_PREFIX}/`, c.req.url).toString();
  const challenge = (status: 401 | 429) =>
    new Response(
      status === 429
        ? "Too many wrong app passwords from here; try again later.\n"
        : "Sign in with an app password.\n",
      {
        status,
        headers: {
          "www-authenticate": 'Basic realm="Hearth WebDAV", charset="UTF-8"',
          "content-type": "text/plain; charset=utf-8",
          ...(status === 429 ? { "retry-after": "900" } : {}),
        },
      },
    );

  const plugin: Plugin = {
    id: "dav",
    viewers: { [DAV_PREFIX]: ["device", "anonymous", "friend", "linkGuest"] },
    async recognise(c) {
      if (!c.req.path.startsWith(DAV_PREFIX)) return undefined;
      const creds = basicAuth(c.req.raw);
      if (!creds) return undefined;
      const verdict = await passwords.verify(creds.password, clientAddress(c, core.sources));
      if (!verdict.ok) {
        c.set("davThrottled", verdict.throttled);
        return undefined;
      }
      return { kind: "device", id: verdict.id, name: verdict.label };
    },
    app() {
      const app = new Hono<ShellEnv>();
      const serve = (c: Context<ShellEnv>) => {
        const viewer = c.get("viewer").kind;
        if (viewer !== "owner" && viewer !== "device") {
          if (c.req.method === "OPTIONS") return handler(c);
          return challenge(c.get("davThrottled" as never) ? 429 : 401);
        }
        return handler(c);
      };
      app.on([...DAV_METHODS], [DAV_PREFIX, `${DAV_PREFIX}/*`], serve);

      const section = async (
        c: Context<ShellEnv>,
        extra: { created?: { label: string; password: string }; error?: string },
      ) =>
        render(c, c.get("shell"), {
          title: "App passwords",
          status: extra.error ? 400 : 200,
          body: (
            <section class="card">
              <h1>WebDAV and app passwords</h1>
              {AppPasswordsSection({ list: await passwords.list(), davUrl: davUrl(c), ...extra })}
              <p>
                <a href="/settings">Back to Settings</a>
              </p>
            </section>
          ),
        });
      app.get("/settings/app-passwords", (c) => section(c, {}));
      app.post("/settings/app-passwords", async (c) => {
        const form = await c.req.parseBody();
        try {
          const created = await passwords.create(String(form.label ?? ""));
          return section(c, { created: { label: String(form.label).trim(), password: created.password } });
        } catch (e) {
          if (e instanceof AppPasswordError) return section(c, { error: e.message });
          throw e;
        }
      });
      app.post("/settings/app-passwords/:id/revoke", async (c) => {
        await passwords.revoke(c.req.param("id"));
        return c.redirect("/settings/app-passwords", 303);
      });
      return app;
    },
    settings: {
      id: "dav",
      title: "WebDAV and app passwords",
      render: async () => (
        <div>
          <p>
            {(await passwords.list()).length} app password(s).{" "}
            <a href="/settings/app-passwords">Manage app passwords and the WebDAV address</a>
          </p>
        </div>
      ),
    },
    subscribe(signals) {
      // Dead properties go with their item (trashed items keep theirs until the trash is emptied).
      return [
        signals.on("item.deleted", async ({ id }) => {
          await core.db.write(() => core.db.orm.delete(davProps).where(eq(davProps.itemId, id)));
        }),
      ];
    },
  };

  async function serveDirect(c: Context): Promise<Response> {
    if (c.req.method === "OPTIONS") return handler(c);
    const creds = basicAuth(c.req.raw);
    const verdict = creds
      ? await passwords.verify(creds.password, clientAddress(c, core.sources))
      : undefined;
    if (!verdict?.ok) return challenge(verdict?.throttled ? 429 : 401);
    const viewer: Viewer = { kind: "device", id: verdict.id, name: verdict.label };
    c.set("viewer", viewer);
    return actingAs(viewer, () => handler(c));
  }
  return { plugin, serveDirect };
}

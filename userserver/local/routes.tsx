/**
 * The local listener's own routes (never through a relay): the sign-in page, the offline sign-in
 * link that `userserver open` opens, and (online) IdCloud's challenge. A proven browser gets a
 * local session cookie scoped to this origin (`__Host-`, Secure, SameSite=Strict).
 */
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { Layout } from "../web/layout_public.tsx";
import { redeemOpenLogin } from "./open_login.ts";
import { LOCAL_COOKIE, LOCAL_COOKIE_NAME, LOCAL_IDLE_MS, type LocalSessions } from "./sessions.ts";

export interface LocalRoutesOptions {
  name: string;
  dataDir: string;
  sessions: LocalSessions;
  /** Opens a file with the desktop's default application; answers why not, or undefined when done. */
  openWith?: (itemId: string) => Promise<string | undefined>;
}

/** Only paths on this listener: `next` can never send the browser elsewhere. */
export function safeNext(v: string | undefined): string {
  return v && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) ? v : "/browse";
}

export function grantSession(
  c: Context,
  sessions: LocalSessions,
  how: "offline" | "online",
  account?: string,
): void {
  const { token } = sessions.create(how, c.req.header("user-agent") ?? "", account);
  setCookie(c, LOCAL_COOKIE_NAME, token, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: Math.floor(LOCAL_IDLE_MS / 1000),
  });
}

function refused(c: Context, why: string) {
  c.header("cache-control", "no-store");
  return c.html(
    <Layout title="Not signed in">
      <h1>Not signed in</h1>
      <p>{why}</p>
      <p>
        <a href="/local/signin">Back to signing in</a>
      </p>
    </Layout>,
    403,
  );
}

export function localRoutes({ name, dataDir, sessions, openWith }: LocalRoutesOptions): Hono {
  const app = new Hono();
  // Only here, never through a relay, and only for a browser with a local session.
  app.post("/local/open-with/:id", async (c) => {
    if (!sessions.get(getCookie(c, LOCAL_COOKIE))) return c.text("Sign in on this computer first", 401);
    const id = c.req.param("id");
    const why = openWith ? await openWith(id) : "Opening files is not available here";
    if (why) return c.text(why, 400);
    c.header("hx-trigger", "opened");
    return c.redirect(`/browse/${encodeURIComponent(id)}?opened=1`, 303);
  });
  app.get("/local/signin", (c) => {
    c.header("cache-control", "no-store");
    const next = safeNext(c.req.query("next"));
    return c.html(
      <Layout title={`Sign in on this computer · ${name}`}>
        <h1>Sign in on this computer</h1>
        <p>
          This is{" "}
          <strong>{name}</strong>'s Hearth, served directly by this computer — faster than through a relay,
          and working without the internet.
        </p>
        <form method="post" action="/local/challenge">
          <input type="hidden" name="next" value={next} />
          <button type="submit">Sign in with Hearth ID</button>
        </form>
        <p class="muted">
          Hearth ID confirms that you are the owner, then sends you back here.
        </p>
        <h2>Without the internet</h2>
        <p>
          In a terminal on this computer, as the user who runs the server, run:
        </p>
        <pre><code>bun run userserver open</code></pre>
        <p class="muted">
          It opens a one-time link in your browser (valid for two minutes, once). The link works only together
          with a file that command writes where only you can read it.
        </p>
      </Layout>,
    );
  });
  app.get("/local/open", (c) => {
    const result = redeemOpenLogin(dataDir, c.req.query("id") ?? "", c.req.query("a") ?? "");
    if (!result.ok) return refused(c, result.why);
    grantSession(c, sessions, "offline");
    return c.redirect(safeNext(c.req.query("next")), 303);
  });
  return app;
}

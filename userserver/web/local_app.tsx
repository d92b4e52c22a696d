/**
 * The local listener (`local.<name>.<zone>`, loopback only): health, a landing page that shows
 * no user data, and the first-run setup behind a one-time token printed to the owner's console.
 * It never serves user data. ARCHITECTURE.md §5–6.
 */
import { Hono } from "hono";
import { constantTimeEqual } from "../../shared/crypto/mod.ts";
import { Layout } from "./layout_public.tsx";

export interface FirstRunSetup {
  /** The one-time token while setup is pending; undefined once used (or when setup is done). */
  token(): string | undefined;
  /** Saves the choices and burns the token; throws with a sentence for a bad value. */
  complete(input: { importRoots: string[] }): void;
}

export interface LocalAppOptions {
  name: string;
  publicOrigin: string;
  /** Host names this listener answers to (DNS-rebinding check), e.g. `local.alice.hearth.localhost:9443`. */
  hosts?: string[];
  /** The connector's tunnels (relay ids only: no user data). */
  tunnels?: () => { relayId: string; upAt: number }[];
  setup?: FirstRunSetup;
}

export function createLocalApp(
  { name, publicOrigin, hosts, tunnels = () => [], setup }: LocalAppOptions,
): Hono {
  const app = new Hono();
  app.get(
    "/healthz",
    (c) => c.json({ ok: true, service: "userserver", listener: "local", name, tunnels: tunnels() }),
  );
  app.get("/", (c) =>
    c.html(
      <Layout title={`Hearth · ${name}`}>
        <h1>
          <span>Hearth</span> is running
        </h1>
        <p>
          This is <strong>{name}</strong>'s personal cloud, on this machine.
        </p>
        <p class="muted">
          Your data is shown only after you sign in. From anywhere, open{" "}
          <a href={publicOrigin}>{publicOrigin}</a>.
        </p>
      </Layout>,
    ));

  // First-run setup: only here, only with the token, only from a page this listener served.
  const tokenOk = (given: unknown) => {
    const t = setup?.token();
    return t !== undefined && typeof given === "string" && constantTimeEqual(given, t);
  };
  const hostOk = (host: string | undefined) => !hosts || (host !== undefined && hosts.includes(host));
  const refuse = (status: 403 | 404, why: string) =>
    new Response(
      `<!doctype html><meta charset="utf-8"><title>Setup</title><p>${why}</p>`,
      { status, headers: { "content-type": "text/html; charset=utf-8" } },
    );
  app.get("/setup", (c) => {
    if (!hostOk(c.req.header("host"))) return refuse(403, "Open the setup link exactly as it was printed.");
    if (!tokenOk(c.req.query("token"))) {
      return refuse(404, "No setup is pending, or this setup link is not valid.");
    }
    return c.html(<SetupPage token={c.req.query("token")!} />);
  });
  app.post("/setup", async (c) => {
    if (!hostOk(c.req.header("host"))) return refuse(403, "Open the setup link exactly as it was printed.");
    const origin = c.req.header("origin");
    if (origin && hosts && !hosts.some((h) => origin === `https://${h}`)) {
      return refuse(403, "This form was sent from another site.");
    }
    const form = await c.req.parseBody();
    if (!tokenOk(form.token)) return refuse(404, "No setup is pending, or this setup link is not valid.");
    const roots = String(form.importRoots ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
    try {
      setup!.complete({ importRoots: roots });
    } catch (e) {
      return c.html(
        <SetupPage
          token={String(form.token)}
          error={(e as Error).message}
          draft={String(form.importRoots)}
        />,
        400,
      );
    }
    return c.html(
      <Layout title="Setup complete">
        <h1>Setup complete</h1>
        <p>
          Open <a href={publicOrigin}>{publicOrigin}</a> and sign in.
        </p>
      </Layout>,
    );
  });
  return app;
}

function SetupPage({ token, error, draft }: { token: string; error?: string; draft?: string }) {
  return (
    <Layout title="Set up Hearth">
      <h1>Set up Hearth</h1>
      {error ? <p role="alert" style="color:#b3261e">{error}</p> : ""}
      <form method="post" action="/setup">
        <input type="hidden" name="token" value={token} />
        <p>
          <label for="importRoots">Folders Hearth may import from (one absolute path per line)</label>
          <br />
          <textarea id="importRoots" name="importRoots" rows={4} cols={50}>{draft ?? ""}</textarea>
        </p>
        <button type="submit">Finish setup</button>
      </form>
    </Layout>
  );
}

/**
 * The local listener (`local.<name>.<zone>`, loopback only): health, a landing page that shows
 * no user data, and (later) the token-gated first-run setup. ARCHITECTURE.md §6.
 */
import { Hono } from "hono";
import { Layout } from "./layout.tsx";

export interface LocalAppOptions {
  name: string;
  publicOrigin: string;
  /** The connector's tunnels (relay ids only: no user data). */
  tunnels?: () => { relayId: string; upAt: number }[];
}

export function createLocalApp({ name, publicOrigin, tunnels = () => [] }: LocalAppOptions): Hono {
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
  return app;
}

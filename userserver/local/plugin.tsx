/** Local sessions in Settings (both shells): which browsers on this computer are signed in, and revoke. */
import { Hono } from "hono";
import type { Plugin, ShellApp, ShellEnv } from "../plugins/mod.ts";
import { page } from "../files/_http.tsx";
import { Time } from "../web/time.tsx";
import type { LocalSession, LocalSessions } from "./sessions.ts";

function SessionList({ list }: { list: LocalSession[] }) {
  if (list.length === 0) return <p class="muted">No browser is signed in on this computer.</p>;
  return (
    <ul class="plain-list" aria-label="Local sessions">
      {list.map((s) => (
        <li>
          <strong>
            {s.how === "offline"
              ? "Signed in with userserver open"
              : `Confirmed by ${s.account ?? "IdCloud"}`}
          </strong>
          {" · since "}
          <Time ms={s.createdAt} />
          {" · last used "}
          <Time ms={s.lastSeenAt} />
          <br />
          <span class="muted small">{s.userAgent || "unknown browser"}</span>
          <form method="post" action={`/settings/local-sessions/${s.id}/revoke`}>
            <button type="submit" class="danger small">Revoke</button>
          </form>
        </li>
      ))}
    </ul>
  );
}

export function localSessionsPlugin(sessions: LocalSessions): Plugin {
  return {
    id: "local",
    app: (): ShellApp => {
      const app = new Hono<ShellEnv>();
      app.get("/settings/local-sessions", (c) =>
        page(
          c,
          "Local sessions",
          <section class="card">
            <h1>Browsers signed in on this computer</h1>
            <p class="muted">
              They reach this server directly at its local address. A restart of the server ends them all.
            </p>
            <SessionList list={sessions.list()} />
            <p>
              <a href="/settings">Back to Settings</a>
            </p>
          </section>,
        ));
      app.post("/settings/local-sessions/:id/revoke", (c) => {
        sessions.revoke(c.req.param("id"));
        return c.redirect("/settings/local-sessions", 303);
      });
      return app;
    },
    settings: {
      id: "local",
      title: "On this computer",
      render: () => (
        <div>
          <p>
            {sessions.list().length} browser(s) signed in on this computer.{" "}
            <a href="/settings/local-sessions">See and revoke local sessions</a>
          </p>
        </div>
      ),
    },
  };
}

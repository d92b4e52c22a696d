/** The notifications plugin: the list, mark seen / all seen, delete, and the bell's live count over SSE. */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellContext, ShellEnv } from "../plugins/mod.ts";
import { Bell } from "../web/layout.tsx";
import { Icon } from "../web/icons.tsx";
import { formatTime } from "../web/format.ts";
import { isFragmentRequest, render } from "../web/render.tsx";
import type { Notification } from "./mod.ts";

export const notificationsPlugin: Plugin = { id: "notifications", app: notificationsApp };

function notificationsApp(ctx: Core) {
  const app = new Hono<ShellEnv>();
  const n = ctx.notifications;
  const listPage = async (c: ShellContext) =>
    render(c, c.var.shell, {
      title: "Notifications",
      body: <NotificationList items={await n.list({ limit: 100 })} />,
    });
  app.get("/notifications", listPage);
  // After a change: htmx gets the refreshed list, a plain form post is redirected back.
  const done = (c: ShellContext) => isFragmentRequest(c) ? listPage(c) : c.redirect("/notifications", 303);
  app.post("/notifications/seen-all", async (c) => {
    await n.markAllSeen();
    return done(c);
  });
  app.post("/notifications/:id/seen", async (c) => {
    if (!(await n.markSeen(c.req.param("id")))) {
      throw new HTTPException(404, { message: "No such notification" });
    }
    return done(c);
  });
  app.post("/notifications/:id/delete", async (c) => {
    if (!(await n.delete(c.req.param("id")))) {
      throw new HTTPException(404, { message: "No such notification" });
    }
    return done(c);
  });
  app.get("/events/bell", (c) =>
    streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      const off = ctx.signals.on("notification.changed", () => wake());
      stream.onAbort(() => wake());
      try {
        while (!stream.aborted) {
          await stream.writeSSE({ data: await (<Bell unseen={await n.unseenCount()} />).toString() });
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 8_000); // a heartbeat keeps idle-closing proxies and servers away
          });
        }
      } finally {
        off();
      }
    }));
  return app;
}

function NotificationList({ items }: { items: Notification[] }) {
  const unseen = items.filter((i) => !i.seen).length;
  return (
    <section
      class="card"
      id="notifications"
      hx-target:inherited="#notifications"
      hx-swap:inherited="outerHTML"
    >
      <div class="row between">
        <h1>Notifications</h1>
        {unseen
          ? (
            <form method="post" action="/notifications/seen-all" hx-post="/notifications/seen-all">
              <button type="submit" class="secondary small">Mark all seen</button>
            </form>
          )
          : ""}
      </div>
      {items.length === 0
        ? (
          <p class="empty">
            <span class="big">
              <Icon name="bell" size="2.5rem" />
            </span>
            Nothing new.
          </p>
        )
        : (
          <ul class="notes">
            {items.map((i) => (
              <li class={i.seen ? "seen" : "unseen"} data-level={i.level}>
                <div class="body">
                  <div class="title">
                    {i.level === "error" ? <Icon name="alert" size="1em" /> : ""}{" "}
                    {i.link ? <a href={i.link}>{i.title}</a> : i.title}
                  </div>
                  {i.body ? <div class="muted small">{i.body}</div> : ""}
                  <div class="muted small">{formatTime(i.createdAt)}</div>
                </div>
                <div class="actions">
                  {i.seen ? "" : (
                    <form
                      method="post"
                      action={`/notifications/${i.id}/seen`}
                      hx-post={`/notifications/${i.id}/seen`}
                    >
                      <button type="submit" class="secondary small" aria-label={`Mark "${i.title}" seen`}>
                        Seen
                      </button>
                    </form>
                  )}
                  <form
                    method="post"
                    action={`/notifications/${i.id}/delete`}
                    hx-post={`/notifications/${i.id}/delete`}
                  >
                    <button type="submit" class="danger small" aria-label={`Delete "${i.title}"`}>
                      Delete
                    </button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

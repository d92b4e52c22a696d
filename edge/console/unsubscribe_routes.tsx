/**
 * RFC 8058 one-click unsubscribe for announcements, at `/mail/unsubscribe/<id>.<secret>`:
 * - `POST` (what a mail provider sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, or
 *   the page's button) unsubscribes at once. No Origin check: the mail provider's request has
 *   none, and the unguessable token in the URL is the authorization — no cookie is involved.
 * - `GET` (a person following the link) only shows a button: link scanners and prefetchers GET
 *   links in mail, and must not unsubscribe anyone (RFC 8058 §3.2).
 */
import { Hono } from "hono";
import type { CloudDeps } from "../deps.ts";
import * as idViews from "../id/views.tsx";
import { unsubscribe } from "./announcements.ts";

export function createUnsubscribeRoutes(deps: CloudDeps): Hono {
  const app = new Hono();
  app.get("/mail/unsubscribe/:token", (c) =>
    c.html(
      <idViews.UnsubscribePage action={`/mail/unsubscribe/${encodeURIComponent(c.req.param("token"))}`} />,
    ));
  app.post("/mail/unsubscribe/:token", async (c) => {
    if (!(await unsubscribe(deps, c.req.param("token")))) {
      return c.html(<idViews.ErrorPage status={404} message="This unsubscribe link isn't valid." />, 404);
    }
    return c.html(
      <idViews.LinkResultPage
        ok
        title="Unsubscribed"
        message="You will get no more announcements. Mail about your account's security still reaches you."
      />,
    );
  });
  return app;
}

/**
 * The operators' console, mounted at `/console` by the cloud app (edge/app.ts). Every route is
 * behind `operatorOnly` (auth.ts): 404 for anyone else. Pages:
 *   GET  /console                    relays and DNS fronts, live (SSE from /console/live)
 *   GET  /console/events             the tunnel event log (?server= &relay= &kind= &before=)
 *   GET  /console/users              users and servers; POST /console/servers/:name/state acts
 *   GET  /console/announce           compose an announcement; POST previews (step=preview) or sends (step=send)
 *   GET  /console/audit              the audit log (?before=)
 * The same as JSON for scripts (an operator token or session):
 *   GET  /console/api/liveness | /console/api/events | /console/api/users | /console/api/audit
 *   POST /console/api/servers/:name/state  {action, reason, note?}
 *   POST /console/api/announcements  {subject, body, filter, preview?}
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { CloudDeps } from "../deps.ts";
import { idCsrf } from "../id/csrf.tsx";
import { jsonBody } from "../../shared/web/json_body.ts";
import { actorOf, type OperatorEnv, operatorOnly } from "./auth.ts";
import { auditPage } from "./audit.ts";
import { type EventFilter, eventPage, liveness, userList } from "./queries.ts";
import { isReasonCode, REASON_CODES } from "./reasons.ts";
import { changeServerState, type ServerAction, ServerStateError } from "./server_state.ts";
import { serveConsoleScript } from "./static.ts";
import { announcementMail, audience, type AudienceFilter, sendAnnouncement } from "./announcements.ts";
import * as v from "./views.tsx";

/** The console's CSP: the cloud's strict one, plus scripts and the live stream from 'self'. */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; " +
  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; " +
  "object-src 'none'; form-action 'self'";
/** How often a live console re-reads liveness (the DB is the only shared state of edge instances). */
export const LIVE_POLL_MS = 1000;

const ACTIONS = ["suspend", "unsuspend", "deregister"] as const;
const filterBody = z.strictObject({
  registeredAfter: z.number().int().optional(),
  registeredBefore: z.number().int().optional(),
  activeDays: z.number().int().min(1).max(3650).optional(),
  relay: z.string().min(1).max(64).optional(),
});
const announceBody = z.strictObject({
  subject: z.string().min(1).max(200),
  body: z.string().min(1).max(20_000),
  filter: filterBody.default({}),
  preview: z.boolean().default(false),
});
const EMPTY_FORM: v.AnnounceForm = {
  subject: "",
  body: "",
  registeredAfter: "",
  registeredBefore: "",
  activeDays: "",
  relay: "",
};

/** The form's fields as a filter: dates are UTC days, empty fields are no filter. */
function audienceOf(f: v.AnnounceForm): AudienceFilter {
  const day = (s: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : undefined);
  const days = Number(f.activeDays);
  return {
    registeredAfter: day(f.registeredAfter),
    registeredBefore: day(f.registeredBefore),
    activeDays: Number.isInteger(days) && days > 0 ? days : undefined,
    relay: f.relay.trim() || undefined,
  };
}
const stateBody = z.strictObject({
  action: z.enum(ACTIONS),
  reason: z.enum(REASON_CODES),
  note: z.string().max(1000).optional(),
});

function filterOf(q: (k: string) => string | undefined): EventFilter {
  const kind = q("kind");
  const before = Number(q("before"));
  return {
    server: q("server")?.trim().toLowerCase() || undefined,
    relay: q("relay")?.trim() || undefined,
    kind: kind === "tunnel_up" || kind === "tunnel_down" ? kind : undefined,
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  };
}

export function createConsoleRoutes(deps: CloudDeps): Hono<OperatorEnv> {
  const app = new Hono<OperatorEnv>();
  const csrf = idCsrf(deps);
  app.use(operatorOnly(deps));
  app.use(async function consoleCsp(c, next) {
    c.header("content-security-policy", CONSOLE_CSP);
    await next();
  });
  app.get("/_static/:name", serveConsoleScript);

  app.get(
    "/",
    async (c) => c.html(<v.RelaysPage live={await liveness(deps)} email={c.var.operator.email} />),
  );
  app.get("/live", (c) =>
    streamSSE(c, async (stream) => {
      let last = "";
      while (!stream.aborted) {
        try {
          const html = (await <v.LivenessTables live={await liveness(deps)} />).toString();
          // Only changes are sent: the "as of" time is left out of the comparison.
          const key = html.replace(/As of [^<]*/, "");
          if (key !== last) {
            last = key;
            await stream.writeSSE({ data: html });
          }
        } catch (err) {
          // A busy database (relays and connectors write while a relay dies) must not end the
          // stream: the browser's reconnect backs off, so the page would lag; try at the next poll.
          if (stream.aborted) break;
          deps.log.warn("console live update failed; trying again", { err });
        }
        await stream.sleep(LIVE_POLL_MS);
      }
    }));
  app.get("/events", async (c) => {
    const filter = filterOf((k) => c.req.query(k));
    const page = await eventPage(deps, filter);
    return c.html(<v.EventsPage {...page} filter={filter} email={c.var.operator.email} />);
  });
  app.get("/users", async (c) => {
    const done = c.req.query("done");
    const notice = done ? { kind: "ok" as const, text: done } : undefined;
    return c.html(<v.UsersPage users={await userList(deps)} email={c.var.operator.email} notice={notice} />);
  });
  app.post("/servers/:name/state", csrf, async (c) => {
    const f = await c.req.parseBody();
    const action = String(f.action ?? "");
    const reason = String(f.reason ?? "");
    if (!(ACTIONS as readonly string[]).includes(action) || !isReasonCode(reason)) {
      throw new HTTPException(400, { message: "Choose an action and a reason code" });
    }
    try {
      const r = await changeServerState(deps, actorOf(c.var.operator), {
        name: c.req.param("name"),
        action: action as ServerAction,
        reason,
        note: String(f.note ?? ""),
      });
      return c.redirect(`/console/users?done=${encodeURIComponent(`${r.name} is now ${r.state}.`)}`, 303);
    } catch (err) {
      if (!(err instanceof ServerStateError)) throw err;
      return c.html(
        <v.UsersPage
          users={await userList(deps)}
          email={c.var.operator.email}
          notice={{ kind: "error", text: err.message }}
        />,
        err.status,
      );
    }
  });
  app.get("/announce", (c) => {
    const sent = c.req.query("sent");
    const notice = sent ? { kind: "ok" as const, text: `Queued for ${sent} recipients.` } : undefined;
    return c.html(<v.AnnouncePage form={EMPTY_FORM} email={c.var.operator.email} notice={notice} />);
  });
  app.post("/announce", csrf, async (c) => {
    const f = await c.req.parseBody();
    const field = (k: string) => (typeof f[k] === "string" ? (f[k] as string).slice(0, 20_000) : "");
    const form: v.AnnounceForm = {
      subject: field("subject").slice(0, 200).trim(),
      body: field("body"),
      registeredAfter: field("registered_after"),
      registeredBefore: field("registered_before"),
      activeDays: field("active_days"),
      relay: field("relay"),
    };
    const email = c.var.operator.email;
    if (!form.subject || !form.body.trim()) {
      const notice = { kind: "error" as const, text: "An announcement needs a subject and a message." };
      return c.html(<v.AnnouncePage form={form} email={email} notice={notice} />, 400);
    }
    const filter = audienceOf(form);
    if (f.step === "send") {
      const { recipients } = await sendAnnouncement(deps, actorOf(c.var.operator), { ...form, filter });
      return c.redirect(`/console/announce?sent=${recipients}`, 303);
    }
    const recipients = (await audience(deps, filter)).map((r) => r.email);
    const text = announcementMail(form, "https://…/mail/unsubscribe/…").text;
    return c.html(<v.AnnouncePage form={form} email={email} preview={{ recipients, text }} />);
  });
  app.get("/audit", async (c) => {
    const before = Number(c.req.query("before")) || undefined;
    const entries = await auditPage(deps, { before, limit: 51 });
    const next = entries.length > 50 ? entries[49].id : null;
    return c.html(<v.AuditPage entries={entries.slice(0, 50)} next={next} email={c.var.operator.email} />);
  });

  // ------------------------------------------------------------------ JSON
  app.get("/api/liveness", async (c) => c.json(await liveness(deps)));
  app.get("/api/events", async (c) => c.json(await eventPage(deps, filterOf((k) => c.req.query(k)))));
  app.get("/api/users", async (c) => c.json({ users: await userList(deps) }));
  app.get("/api/audit", async (c) => {
    const before = Number(c.req.query("before")) || undefined;
    return c.json({ entries: await auditPage(deps, { before }) });
  });
  // Scripts with a token only: a token is not ambient, so no CSRF check; a browser posts the form.
  app.post("/api/servers/:name/state", jsonBody(stateBody), async (c) => {
    if (!c.var.viaToken) throw new HTTPException(403, { message: "Use an operator token for the JSON API" });
    const body = c.req.valid("json");
    try {
      return c.json(
        await changeServerState(deps, actorOf(c.var.operator), { name: c.req.param("name"), ...body }),
      );
    } catch (err) {
      if (err instanceof ServerStateError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });
  app.post("/api/announcements", jsonBody(announceBody), async (c) => {
    if (!c.var.viaToken) throw new HTTPException(403, { message: "Use an operator token for the JSON API" });
    const { preview, ...a } = c.req.valid("json");
    if (preview) return c.json({ recipients: (await audience(deps, a.filter)).map((r) => r.email) });
    return c.json(await sendAnnouncement(deps, actorOf(c.var.operator), a));
  });
  return app;
}

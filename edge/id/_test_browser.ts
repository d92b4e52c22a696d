/** Test-only: a tiny browser for `app.request()` — a cookie jar, a client IP, form posts with Origin. */
import type { Hono } from "hono";
import { mailOutbox } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export const ORIGIN = "https://id.hearth.localhost";

export class TestBrowser {
  jar = new Map<string, string>();
  constructor(readonly app: Hono, readonly ip = "192.0.2.1") {}

  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set("cookie", [...this.jar].map(([k, v]) => `${k}=${v}`).join("; "));
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
    if ((init.method ?? (init.form ? "POST" : "GET")) !== "GET" && !headers.has("origin")) {
      headers.set("origin", ORIGIN);
    }
    const res = await this.app.request(
      new URL(path, ORIGIN).toString(),
      { ...init, method: init.method ?? (init.form ? "POST" : "GET"), headers, body },
      { remoteAddr: { hostname: this.ip } },
    );
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, { form });
  }
}

/** Every mail in the outbox (newest last). */
export async function outbox(deps: CloudDeps) {
  return await deps.db.orm.select().from(mailOutbox).orderBy(mailOutbox.id);
}

/** The first link to `path` in the newest mail to `to`. */
export async function linkFromMail(deps: CloudDeps, to: string, path: string): Promise<string> {
  const mails = (await outbox(deps)).filter((m) => m.to === to.toLowerCase());
  const last = mails.at(-1);
  if (!last) throw new Error(`No mail to ${to}`);
  const m = new RegExp(`https://[^\\s"<]+${path}[^\\s"<]+`).exec(last.text);
  if (!m) throw new Error(`No ${path} link in mail "${last.subject}"`);
  return new URL(m[0]).pathname;
}

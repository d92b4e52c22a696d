/**
 * The local shell's sign-in: a browser with a live local session (`__Host-hearth-local`) is the
 * owner, exactly as a signed-in owner is through a relay; anyone else is sent to the local sign-in
 * page (`/local/signin`). Sign-out ends the session.
 */
import { Hono } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import type { ShellAuth } from "../web/auth.ts";
import { LOCAL_COOKIE, LOCAL_COOKIE_NAME, type LocalSessions } from "./sessions.ts";

export function localAuth(sessions: LocalSessions, owner: string): ShellAuth {
  const live = (c: Parameters<ShellAuth["currentUser"]>[0]) => sessions.get(getCookie(c, LOCAL_COOKIE));
  const routes = new Hono();
  routes.post("/auth/logout", (c) => {
    sessions.end(getCookie(c, LOCAL_COOKIE));
    deleteCookie(c, LOCAL_COOKIE_NAME, { path: "/", secure: true, prefix: "host" });
    return c.redirect("/", 303);
  });
  return {
    currentUser: (c) => live(c) ? { name: owner, isOwner: true } : undefined,
    requireOwner: async function requireLocalOwner(c, next) {
      if (live(c)) return await next();
      if (c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) {
        const back = new URL(c.req.url).pathname;
        return c.redirect(`/local/signin?next=${encodeURIComponent(back)}`, 303);
      }
      return c.text("Sign in on this computer first: /local/signin", 401);
    },
    routes,
  };
}

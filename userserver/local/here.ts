/**
 * "Open on this computer" (issue #21): a relayed page carries a fresh challenge and the answer only
 * this server's local listener gives (an HMAC under a key that lives in this process). The page's
 * script asks `local.<name>.<zone>` for its answer; only when they match — the browser really is on
 * the machine that runs this server — does the menu show the direct way in. Never guessed from IP
 * addresses. The local listener grants CORS (and Chrome's private-network permission) for this one
 * route and to the server's public origin only; it reveals nothing but the answer.
 */
import { createHmac, randomBytes } from "node:crypto";
import { Hono } from "hono";

export interface LocalProbe {
  /** For a relayed page: the local origin, a fresh challenge, its answer. */
  probe(): { origin: string; challenge: string; answer: string };
  /** The local listener's `/local/here`. */
  routes: Hono;
}

export function localProbe(localOrigin: string, publicOrigin: string): LocalProbe {
  const key = randomBytes(32);
  const answerOf = (challenge: string) => createHmac("sha256", key).update(challenge).digest("base64url");
  const routes = new Hono();
  const cors = (origin: string | undefined, headers: Headers) => {
    headers.set("vary", "Origin");
    if (origin !== publicOrigin) return;
    headers.set("access-control-allow-origin", publicOrigin);
    headers.set("access-control-allow-methods", "GET");
  };
  routes.options("/local/here", (c) => {
    const res = new Response(null, { status: 204 });
    cors(c.req.header("origin"), res.headers);
    if (
      c.req.header("origin") === publicOrigin &&
      c.req.header("access-control-request-private-network") === "true"
    ) {
      res.headers.set("access-control-allow-private-network", "true");
    }
    return res;
  });
  routes.get("/local/here", (c) => {
    const challenge = c.req.query("c") ?? "";
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(challenge)) return c.json({ error: "c must be a challenge" }, 400);
    const res = c.json({ answer: answerOf(challenge) });
    cors(c.req.header("origin"), res.headers);
    res.headers.set("cache-control", "no-store");
    return res;
  });
  return {
    probe: () => {
      const challenge = randomBytes(18).toString("base64url");
      return { origin: localOrigin, challenge, answer: answerOf(challenge) };
    },
    routes,
  };
}

/**
 * RegCloud's registration API, `POST /reg/v1/register`: a user server registers with the one-time
 * token its owner got at IdCloud (edge/id/registration.ts does the work: claims, certificate).
 * JSON in, JSON out; throttled per address.
 */
import { Hono } from "hono";
import type { CloudDeps } from "../deps.ts";
import { registerServer, RegistrationError } from "../id/registration.ts";
import { clientIp } from "../id/session.ts";
import { LIMITS, takeToken } from "../throttle.ts";
/** `POST /reg/v1/register`: a user server registers with a one-time token (JSON in, JSON out). */
export function createRegisterRoute(deps: CloudDeps): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const wait = await takeToken(deps, `register:ip:${clientIp(c)}`, LIMITS.register);
    if (wait) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      return c.json({ error: "Too many registration attempts" }, 429);
    }
    let body: { token?: string; publicJwk?: JsonWebKey; csr?: string };
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "Body is not JSON" }, 400);
    }
    try {
      return c.json(
        await registerServer(deps, {
          token: String(body.token ?? ""),
          publicJwk: body.publicJwk as JsonWebKey,
          csr: String(body.csr ?? ""),
        }),
      );
    } catch (err) {
      if (err instanceof RegistrationError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });
  return app;
}

/**
 * RegCloud's registration API, `POST /reg/v1/register`: a user server registers with the one-time
 * token its owner got at IdCloud (edge/id/registration.ts does the work: claims, certificate).
 * JSON in, JSON out; throttled per address.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { jsonBody } from "../../shared/web/json_body.ts";
import type { CloudDeps } from "../deps.ts";
import { registerServer, RegistrationError } from "../id/registration.ts";
import { clientIp } from "../conninfo.ts";
import { LIMITS, takeToken } from "../throttle.ts";
const registerBody = z.object({
  token: z.string().max(512),
  /** The server key's public half (checked by registerServer). */
  publicJwk: z.record(z.string(), z.unknown()),
  csr: z.string().max(16_384),
});

/** `POST /reg/v1/register`: a user server registers with a one-time token (JSON in, JSON out). */
export function createRegisterRoute(deps: CloudDeps): Hono {
  const app = new Hono();
  const throttleRegister = createMiddleware(async (c, next) => {
    const wait = await takeToken(deps, `register:ip:${clientIp(c)}`, LIMITS.register);
    if (wait) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      return c.json({ error: "Too many registration attempts" }, 429);
    }
    await next();
  });
  // The throttle runs before the body is read: a flood of bad bodies is throttled too.
  app.post("/", throttleRegister, jsonBody(registerBody), async (c) => {
    const body = c.req.valid("json");
    try {
      return c.json(
        await registerServer(deps, {
          token: body.token,
          publicJwk: body.publicJwk as JsonWebKey,
          csr: body.csr,
        }),
      );
    } catch (err) {
      if (err instanceof RegistrationError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  });
  return app;
}

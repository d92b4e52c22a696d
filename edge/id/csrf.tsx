/**
 * IdCloud's one CSRF check for its account pages' forms: hono/csrf with IdCloud's own origins (the
 * request's, and the configured `id.` origin). hono/csrf looks only at bodies a cross-site form can
 * send (form-encoded, multipart, text/plain); IdCloud is stricter and holds every other content type
 * to the same rule, so no state-changing request without this site's Origin gets through — none of
 * its routes takes a cross-site body. A refusal is a page with a sentence, not a bare "Forbidden".
 */
import type { Context, MiddlewareHandler } from "hono";
import { ownOriginsOnly } from "../../shared/web/csrf.ts";
import type { CloudDeps } from "../deps.ts";
import * as v from "./views.tsx";

const FORM_TYPES = /^\b(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

export function idCsrf(deps: CloudDeps): MiddlewareHandler {
  const allowed = (origin: string | undefined, c: Context) =>
    origin !== undefined && [new URL(c.req.url).origin, deps.id?.origin].includes(origin);
  const refuse = (c: Context) =>
    c.html(
      <v.ErrorPage status={403} message="This form came from another site, so it was not accepted." />,
      403,
    );
  const check = ownOriginsOnly(allowed, refuse);
  return async function idCsrf(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return await next();
    const type = c.req.header("content-type") ?? "text/plain";
    if (!FORM_TYPES.test(type)) return allowed(c.req.header("origin"), c) ? await next() : refuse(c);
    return await check(c, next);
  };
}

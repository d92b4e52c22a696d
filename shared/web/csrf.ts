/**
 * hono/csrf admitting only a site's own origins (Sec-Fetch-Site alone never admits a request), with
 * the site's own answer to a refusal instead of hono's bare "Forbidden". The user server
 * (userserver/web/csrf.ts) and IdCloud (edge/id/csrf.tsx) both build their check on it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";

export function ownOriginsOnly(
  allowed: (origin: string, c: Context) => boolean,
  refuse: (c: Context, cause: unknown) => Response | Promise<Response>,
): MiddlewareHandler {
  const check = csrf({ secFetchSite: () => false, origin: (origin, c) => allowed(origin, c) });
  return async function ownOriginsOnly(c, next) {
    let admitted = false;
    try {
      await check(c, () => {
        admitted = true;
        return next();
      });
    } catch (e) {
      // Only hono/csrf's own refusal is ours to answer; an error from further down goes on.
      if (!admitted) return await refuse(c, e);
      throw e;
    }
  };
}

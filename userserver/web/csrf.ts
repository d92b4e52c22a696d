/**
 * The one CSRF check for every state-changing request on both listeners (ARCHITECTURE §9.9):
 * `hono/csrf` with this server's own origins. A form post, upload or htmx request must come from a
 * page of this server: a foreign Origin, a sibling user server's (`bob.<zone>` is same-site while
 * the zone is not on the Public Suffix List, so SameSite cookies do not stop it) and a missing one
 * are refused with 403. Browsers send Origin on every non-GET request, htmx's and tus-js-client's
 * included. Requests with other content types (JSON, tus PATCH bodies) and any request carrying
 * htmx's `HX-Request` header need a CORS preflight, which this server never grants, so a foreign
 * page cannot send them at all; hono/csrf leaves those to the browser, and so do we.
 *
 * WebDAV (`/dav/`): clients such as rclone and Finder send no Origin and PUT bodies of any type
 * (text/plain included). A page on another site can send only GET, HEAD and POST without a CORS
 * preflight, so every other method there is let through; POST (not a WebDAV method) is still checked.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ownOriginsOnly } from "../../shared/web/csrf.ts";

/** The sentence a refused request gets (tests look for it). */
export const CSRF_REFUSAL = "This request was sent from a page of another site, so it was not carried out";

/**
 * `origins`: e.g. `https://alice.hearth.localhost:8443`, `https://local.alice.hearth.localhost:9443`;
 * without them, the origin of the request's own URL (an app built without a config, in tests).
 */
export function csrfGuard(origins?: string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const check = ownOriginsOnly(
    (origin, c) => origins ? allowed.has(origin) : origin === new URL(c.req.url).origin,
    (_c, cause) => {
      throw new HTTPException(403, { message: CSRF_REFUSAL, cause });
    },
  );
  return async function csrfGuard(c, next) {
    if (c.req.method !== "POST" && (c.req.path === "/dav" || c.req.path.startsWith("/dav/"))) {
      return await next();
    }
    return await check(c, next);
  };
}

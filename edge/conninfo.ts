/**
 * The client's address on the cloud tier, for per-address throttles. `Deno.serve(handler)` and
 * Deno Deploy's `export default { fetch }` both call `app.fetch(request, info)`, so Hono's `env` is
 * Deno's `ServeHandlerInfo` with `remoteAddr`. (hono/deno's `getConnInfo` reads the same field but
 * throws when there is no env — `app.request()` in tests — and is deprecated.) Never taken from a
 * request header, which a client could forge to dodge its throttle. "unknown" when there is none.
 */
import type { Context } from "hono";

export function clientIp(c: Context): string {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null || !("remoteAddr" in env)) return "unknown";
  const addr = (env as { remoteAddr?: { hostname?: unknown } }).remoteAddr;
  return typeof addr?.hostname === "string" && addr.hostname ? addr.hostname : "unknown";
}

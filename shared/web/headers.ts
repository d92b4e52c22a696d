/**
 * The security headers every Hearth web app sends (the user server's two listeners and IdCloud), as
 * one `hono/secure-headers` middleware. The policy is strict: scripts only from the page's own origin
 * (no inline script, no eval), nothing may frame a page (`frame-ancestors 'none'`: bob's server must
 * never frame alice's Trash with her session), no MIME sniffing, no referrer to other origins, HSTS.
 * Styles may be inline: the shared theme is one `<style>` in the head (shared/ui/head.tsx), and
 * style injection cannot run code.
 *
 * A route that sends its own, narrower header keeps it (`overwrite: false`): a stored file served
 * inline carries `sandbox`, a PDF preview `frame-ancestors 'self'` so the file viewer can frame it.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** The Content-Security-Policy directives, exported so tests and docs can state them. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  mediaSrc: ["'self'", "blob:"],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
};

/** HSTS for a year. No `includeSubDomains`: a zone's operator decides that for the zone, not one app. */
export const HSTS = "max-age=31536000";

/**
 * `connectSrc`: more origins the page's script may fetch (the relayed pages probe the local
 * listener, userserver/local/client/here.ts); nothing else of the policy is ever widened.
 */
export function securityHeaders({ connectSrc = [] }: { connectSrc?: string[] } = {}): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: { ...CSP_DIRECTIVES, connectSrc: [...CSP_DIRECTIVES.connectSrc, ...connectSrc] },
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
    strictTransportSecurity: HSTS,
    xContentTypeOptions: "nosniff",
    overwrite: false,
  });
}

/**
 * The same policy as a header value, for the one page that needs WebAssembly compiled (the barcode
 * scanner's ZXing decoder: `'wasm-unsafe-eval'` lets a page compile WebAssembly, never run `eval`).
 */
export function cspAllowingWasm(): string {
  const d = { ...CSP_DIRECTIVES, scriptSrc: [...CSP_DIRECTIVES.scriptSrc, "'wasm-unsafe-eval'"] };
  const name = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return Object.entries(d).map(([k, v]) => `${name(k)} ${v.join(" ")}`).join("; ");
}

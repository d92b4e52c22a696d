/**
 * Security headers for every cloud response (IdCloud's account pages above all), with
 * hono/secure-headers: a strict CSP (no script at all — IdCloud's pages are plain forms), no
 * framing by anyone (so no other origin can overlay alice's account pages), nosniff, no referrer
 * to other origins, and HSTS. Styles: the shared layout still inlines its theme (shared/ui), so
 * `style-src` allows inline styles until that moves into a served file; scripts never are.
 * No `form-action`: browsers apply it to the redirect after a sign-in form, which leaves for the
 * user server's OIDC callback.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

export function cloudSecureHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: "DENY",
    xContentTypeOptions: "nosniff",
    referrerPolicy: "strict-origin-when-cross-origin",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    crossOriginOpenerPolicy: "same-origin",
    crossOriginResourcePolicy: "same-origin",
    // A route that sets its own (the OIDC pages' CSP allows their form to post onwards) keeps it.
    overwrite: false,
  });
}

/**
 * What both listeners put in front of every route, and what they answer when a request fails before
 * (or without) a signed-in owner: the security headers (shared/web/headers.ts), the CSRF check
 * (csrf.ts), and a plain error page that shows no user data and never a stack.
 */
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../../shared/log/mod.ts";
import { securityHeaders } from "../../shared/web/mod.ts";
import { csrfGuard } from "./csrf.ts";
import { Layout } from "./layout_public.tsx";

/** The middleware every listener mounts first: `app.use("*", ...webGuard(origins))`. */
export function webGuard(origins?: string[], connectSrc?: string[]): MiddlewareHandler[] {
  return [securityHeaders({ connectSrc }), csrfGuard(origins)];
}

const TITLES: Record<number, string> = { 403: "Not allowed", 404: "Not found" };

/** A card page with a sentence: no navigation, no counts, nothing of the owner's. */
export function errorPage(c: Context, status: number, message: string): Response | Promise<Response> {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "That did not work");
  c.header("Cache-Control", "no-store");
  return c.html(
    <Layout title={title}>
      <h1>{title}</h1>
      <p class="muted">{message || "This request is not allowed here."}</p>
    </Layout>,
    status as ContentfulStatusCode,
  );
}

/** An `onError` for a listener: the status of an `HTTPException`, otherwise 500 with a sentence (logged). */
export function plainOnError(log: Logger): ErrorHandler {
  return function onError(err, c) {
    const status = err instanceof HTTPException ? err.status : 500;
    if (status >= 500) log.error("request failed", { path: c.req.path, error: err.message });
    return errorPage(
      c,
      status,
      status >= 500 ? "Something went wrong on this server. It has been logged." : err.message,
    );
  };
}

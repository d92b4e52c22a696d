/**
 * Options every `Bun.serve` of the user server spreads in. Bun's `development` flag is on unless
 * NODE_ENV says production; it turns an error that escapes the app (hono's router throws before the
 * app's `onError` for some malformed requests, e.g. an empty Host with a query) into a page with the
 * stack and the working directory. Off here, with an `error` handler that logs and answers a sentence.
 */
import type { Logger } from "../../shared/log/mod.ts";

export function serveOptions(log: Logger): { development: false; error(err: Error): Response } {
  return {
    development: false,
    error(err) {
      log.error("request failed before the app could answer", { error: err.message });
      return new Response("This request could not be handled.", {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    },
  };
}

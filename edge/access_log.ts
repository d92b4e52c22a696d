/**
 * An access log for the cloud tier, off by default: one line per request (method, path, status,
 * milliseconds), in the process's log format. Turned on with `HEARTH_ACCESS_LOG=1`; the scale
 * benchmark (bench/scale) reads it for the cloud tier's requests per second and latency. Paths
 * only: query strings (which may carry codes or tokens) are never logged.
 */
import type { Logger } from "../shared/log/mod.ts";

type Fetch = (request: Request, ...rest: never[]) => Response | Promise<Response>;

export function withAccessLog<F extends Fetch>(fetch: F, log: Logger): F {
  const logged = async (request: Request, ...rest: never[]) => {
    const t0 = performance.now();
    let status = 500;
    try {
      const res = await fetch(request, ...rest);
      status = res.status;
      return res;
    } finally {
      log.info("request", {
        method: request.method,
        path: new URL(request.url).pathname,
        status,
        ms: Math.round((performance.now() - t0) * 10) / 10,
      });
    }
  };
  return logged as F;
}

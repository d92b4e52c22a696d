/** htmx 4 and its SSE extension, served from node_modules (no CDN: the page works offline and through relays). */
import type { Hono } from "hono";
import { join } from "node:path";

const DIST = join(new URL("../../node_modules/htmx.org/dist", import.meta.url).pathname);
const FILES: Record<string, string> = {
  "htmx.min.js": join(DIST, "htmx.min.js"),
  "hx-sse.min.js": join(DIST, "ext", "hx-sse.min.js"),
};

export function mountStatic(app: Hono<any>): void {
  app.get("/_static/:file", (c) => {
    const path = FILES[c.req.param("file")];
    if (!path) return c.notFound();
    return new Response(Bun.file(path), {
      headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600" },
    });
  });
}

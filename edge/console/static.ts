/**
 * htmx 4 and its SSE extension for the console, from node_modules (no CDN), read once on first use.
 * Served behind the console's door like every other console route.
 */
import type { Context } from "hono";
import { readFile } from "node:fs/promises";

const DIST = new URL("../../node_modules/htmx.org/dist/", import.meta.url);
const FILES = new Map([
  ["htmx.min.js", new URL("htmx.min.js", DIST)],
  ["hx-sse.min.js", new URL("ext/hx-sse.min.js", DIST)],
]);
const loaded = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

export async function serveConsoleScript(c: Context): Promise<Response> {
  const name = c.req.param("name") ?? "";
  const url = FILES.get(name);
  if (!url) return c.json({ error: `No route for GET ${c.req.path}` }, 404);
  let body = loaded.get(name);
  if (!body) {
    body = readFile(url).then((b) => new Uint8Array(b));
    loaded.set(name, body);
  }
  return c.body(await body, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "private, max-age=3600",
  });
}

/**
 * The public static files at `/_static/<name>`: htmx 4 and its SSE extension from node_modules (no
 * CDN: the page works offline and through relays), and the features' client code — typed `.ts`
 * files bundled by `Bun.build` when this module loads (at start), kept in memory. No user data, so
 * no sign-in is needed. Names are looked up in a Map: `constructor`, `__proto__` and the like are
 * simply not there (404), never a property of some object.
 */
import type { Context, Hono } from "hono";
import { join } from "node:path";

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

const NODE_MODULES = new URL("../../node_modules/", import.meta.url).pathname;
const HTMX_DIST = join(NODE_MODULES, "htmx.org", "dist");
const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/** Client bundles: the served name → its entry point (typed `.ts`, bundled with its imports). */
const BUNDLES: Array<[string, string]> = [
  ["files.js", new URL("../files/client/main.ts", import.meta.url).pathname],
  ["links.js", new URL("../links/client/main.ts", import.meta.url).pathname],
  ["local.js", new URL("../local/client/here.ts", import.meta.url).pathname],
  ["pwa.js", new URL("../pwa/client/register.ts", import.meta.url).pathname],
  ["camera.js", new URL("../camera/client/main.ts", import.meta.url).pathname],
  ["scan.js", new URL("../collection/client/scan.ts", import.meta.url).pathname],
  ["photos.js", new URL("../photos/client/main.ts", import.meta.url).pathname],
  ["search.js", new URL("../search/client/search.ts", import.meta.url).pathname],
];
/** Files served as they are: the served name → path and type. */
const PLAIN: Array<[string, string, string]> = [
  ["htmx.min.js", join(HTMX_DIST, "htmx.min.js"), JS],
  ["hx-sse.min.js", join(HTMX_DIST, "ext", "hx-sse.min.js"), JS],
  ["files.css", new URL("../files/client/files.css", import.meta.url).pathname, CSS],
  ["friends.css", new URL("../friends/client/friends.css", import.meta.url).pathname, CSS],
  ["photos.css", new URL("../photos/client/photos.css", import.meta.url).pathname, CSS],
  // The barcode scanner's decoder (userserver/collection/client/scan.ts), served here, not from a CDN.
  [
    "zxing_reader.wasm",
    new URL("../../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url).pathname,
    "application/wasm",
  ],
];

/**
 * Each file is read (or bundled) once, when this module loads, so the first page does not wait for
 * the bundler; each on its own, so a bundle that fails to build (reported by the requests for it,
 * through the app's `onError`) never takes htmx down with it.
 */
const files = new Map<string, Promise<StaticFile>>([
  ...PLAIN.map(([name, path, type]) => [name, readFile(path, type)] as const),
  ...BUNDLES.map(([name, entry]) => [name, bundle(entry)] as const),
]);
// A failure is reported by the first request that needs the file, not as an unhandled rejection.
for (const file of files.values()) file.catch(() => {});

async function readFile(path: string, type: string): Promise<StaticFile> {
  return staticFile(new Uint8Array(await Bun.file(path).arrayBuffer()), type);
}

/** One entry point and its imports as one browser script (ES module). */
async function bundle(entry: string): Promise<StaticFile> {
  const built = await Bun.build({ entrypoints: [entry], target: "browser", minify: true, format: "esm" });
  if (!built.success) {
    throw new Error(`Cannot bundle "${entry}": ${built.logs.map((l) => l.message).join("; ")}`);
  }
  return staticFile(new Uint8Array(await built.outputs[0].arrayBuffer()), JS);
}

function staticFile(body: Uint8Array<ArrayBuffer>, type: string): StaticFile {
  return {
    body,
    type,
    etag: `"${new Bun.CryptoHasher("sha256").update(body).digest("base64url").slice(0, 22)}"`,
  };
}

export function mountStatic(app: Hono<any>): void {
  app.get("/_static/:file", serveStaticFile);
}

async function serveStaticFile(c: Context): Promise<Response> {
  const pending = files.get(c.req.param("file") ?? "");
  if (!pending) return c.notFound();
  const file = await pending;
  // Revalidated on each use (cheap: a 304), so a new release is picked up at once.
  const headers = { "content-type": file.type, "cache-control": "public, no-cache", etag: file.etag };
  if (c.req.header("if-none-match") === file.etag) return new Response(null, { status: 304, headers });
  return new Response(file.body, { headers });
}

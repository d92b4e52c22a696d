/**
 * IdCloud's client script, bundled from typed `.ts` by `Deno.bundle` on first use and kept in
 * memory (the user server does the same with `Bun.build`: userserver/web/static.ts). Only the
 * recovery-codes page loads it, and only there does the CSP allow a script from 'self'. Where the
 * runtime cannot bundle (an edge worker without the API), the page still works: the copy button
 * stays hidden and the download link remains.
 */
import type { Context } from "hono";

const ENTRY = new URL("./client/recovery_codes.ts", import.meta.url);
export const ID_SCRIPT_PATH = "/_static/id.js";

/** The CSP of the one page that runs IdCloud's script: the cloud's default, with script from 'self'. */
export const SCRIPT_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

type Bundler = (options: {
  entrypoints: string[];
  write: false;
  platform: "browser";
  minify: boolean;
  format: "esm";
}) => Promise<{ success: boolean; outputFiles?: { text(): string }[]; errors?: unknown[] }>;

let built: Promise<string | undefined> | undefined;

/** The bundled script, or undefined where this runtime cannot bundle. */
export function idScript(): Promise<string | undefined> {
  built ??= bundle().catch(() => undefined);
  return built;
}

async function bundle(): Promise<string | undefined> {
  const deno = (globalThis as { Deno?: { bundle?: Bundler } }).Deno;
  if (typeof deno?.bundle !== "function") return undefined;
  const result = await deno.bundle({
    entrypoints: [ENTRY.pathname],
    write: false,
    platform: "browser",
    minify: true,
    format: "esm",
  });
  return result.success ? result.outputFiles?.[0]?.text() : undefined;
}

export async function serveIdScript(c: Context): Promise<Response> {
  const js = await idScript();
  if (js === undefined) return c.text("Not available on this runtime", 404);
  return c.body(js, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "no-cache",
  });
}

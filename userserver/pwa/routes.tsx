/**
 * The user server as an installable Progressive Web App (no app store): a web app manifest, icons,
 * and a service worker that keeps an offline shell — the pages and files opened recently stay
 * readable without a network. Public routes (no user data): `/manifest.webmanifest`, `/sw.js`,
 * `/_pwa/icon-<size>.png`, `/offline`.
 */
import type { Context, Hono } from "hono";
import sharp from "sharp";
import { CardPage } from "../../shared/ui/card_page.tsx";

const BRAND_SVG = (size: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 32 32"><rect width="32" height="32" fill="#d9653b"/><text x="16" y="22.5" font-family="DejaVu Sans,sans-serif" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">H</text></svg>`;
export const ICON_SIZES = [192, 512] as const;

/** Drawn once, on first use (a maskable icon: the mark fills the square). */
const icons = new Map<number, Promise<Uint8Array<ArrayBuffer>>>();
function icon(size: number): Promise<Uint8Array<ArrayBuffer>> {
  let p = icons.get(size);
  if (!p) {
    p = sharp(Buffer.from(BRAND_SVG(size))).png().toBuffer().then((b) => new Uint8Array(b));
    icons.set(size, p);
  }
  return p;
}

const sw = Bun.build({
  entrypoints: [new URL("./client/sw.ts", import.meta.url).pathname],
  target: "browser",
  minify: true,
  format: "esm",
}).then(async (built) => {
  if (!built.success) {
    throw new Error(`Cannot bundle the service worker: ${built.logs.map((l) => l.message).join("; ")}`);
  }
  return await built.outputs[0]!.text();
});
sw.catch(() => {});

export function manifest(name: string): Record<string, unknown> {
  return {
    name: `${name}'s Hearth`,
    short_name: "Hearth",
    description: `${name}'s files, on ${name}'s own machine`,
    id: "/",
    start_url: "/browse",
    scope: "/",
    display: "standalone",
    background_color: "#f6f4f1",
    theme_color: "#d9653b",
    icons: ICON_SIZES.map((s) => ({
      src: `/_pwa/icon-${s}.png`,
      sizes: `${s}x${s}`,
      type: "image/png",
      purpose: "any maskable",
    })),
    // "Share" a photo from the phone's gallery straight into Camera uploads.
    share_target: {
      action: "/camera/share",
      method: "POST",
      enctype: "multipart/form-data",
      params: { files: [{ name: "files", accept: ["image/*", "video/*"] }] },
    },
  };
}

export function mountPwa(app: Hono<any>, name: string): void {
  app.get("/manifest.webmanifest", (c) =>
    c.body(JSON.stringify(manifest(name)), 200, {
      "content-type": "application/manifest+json",
      "cache-control": "public, no-cache",
    }));
  app.get("/_pwa/:file{icon-(192|512)\\.png}", async (c) => {
    const size = Number(/\d+/.exec(c.req.param("file"))![0]);
    return c.body(await icon(size), 200, {
      "content-type": "image/png",
      "cache-control": "public, max-age=86400",
    });
  });
  app.get("/sw.js", async (c: Context) =>
    c.body(await sw, 200, {
      "content-type": "text/javascript; charset=utf-8",
      // Always checked for a new version (browsers also cap a worker's cache at a day).
      "cache-control": "no-cache",
      "service-worker-allowed": "/",
    }));
  app.get("/offline", (c) =>
    c.html(
      <CardPage title="Offline" documentTitle={`Offline · ${name}'s Hearth`}>
        <h1>You are offline</h1>
        <p>
          {name}'s Hearth cannot be reached right now. Pages and files you opened recently on this device are
          still here; go back to one, or try again when the network is back.
        </p>
        <p>
          <a class="button" href="/browse">Try again</a>
        </p>
      </CardPage>,
    ));
}

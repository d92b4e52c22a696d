/**
 * The user server's web security (issue #12.3, #12.7 and the low findings), on both listeners as
 * Hono apps and, for what only a socket shows, on a real local listener:
 * - every state-changing route refuses a foreign, a sibling (`bob.<zone>`) and a missing Origin;
 * - every page carries the strict CSP, frame-ancestors 'none', nosniff, Referrer-Policy and HSTS;
 * - `/_static/constructor` and friends are 404 and no error page shows user data to a stranger;
 * - an empty Host header gets a plain error, not Bun's development page with a stack.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig, localOrigin, publicOrigin } from "../config/mod.ts";
import { TEST_OWNER_COOKIE } from "./auth.ts";
import { CSRF_REFUSAL } from "./csrf.ts";

const TOKEN = "t".repeat(40);
const dir = mkdtempSync(join(tmpdir(), "hearth-websec-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({
    version: CONFIG_VERSION,
    name: "alice",
    importRoots: [dir],
    setupDone: true,
    testOwnerToken: TOKEN,
    publicPort: 8443,
    localPort: 0,
  }),
);
const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
const OWN = publicOrigin(config);
const LOCAL = localOrigin(config);
const ZONE = config.zone;

let s: UserServer;
beforeAll(async () => {
  s = await startUserServer({ config, log: silentLogger, listen: false });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const owner = { cookie: `${TEST_OWNER_COOKIE}=${TOKEN}` };
const relayed = (path: string, init: RequestInit = {}) => s.relayedApp.request(`${OWN}${path}`, init);

/** Every non-GET route of an app, with its parameters filled in: listed from the app, not by hand. */
function stateChangingRoutes(app: { routes: { method: string; path: string }[] }): [string, string][] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (["GET", "HEAD", "OPTIONS", "ALL"].includes(r.method)) continue;
    // WebDAV's own methods cannot be sent cross-site without a CORS preflight (never granted), so the
    // CSRF check lets them through (csrf.ts); its POST is covered below.
    if (r.path.startsWith("/dav") && r.method !== "POST") continue;
    seen.add(`${r.method} ${r.path.replace(/:[a-z]+(\{[^}]*\})?/gi, "x1")}`);
  }
  return [...seen].map((k) => k.split(" ") as [string, string]);
}

describe("CSRF: one check in front of every state-changing route", () => {
  const foreign = ["https://evil.example", `https://bob.${ZONE}:8443`, `https://bob.${ZONE}`, "null"];

  test("the relayed listener refuses a foreign, a sibling and a missing Origin on each route; its own passes", async () => {
    const routes = stateChangingRoutes(s.relayedApp);
    // Uploads, mkdir, trash, settings, add, notifications, sign-out…: a real list, not a handful.
    expect(routes.length).toBeGreaterThan(15);
    for (const [method, path] of routes) {
      for (const origin of [...foreign, undefined]) {
        const headers: Record<string, string> = {
          ...owner,
          "content-type": "application/x-www-form-urlencoded",
        };
        if (origin) headers.origin = origin;
        const res = await relayed(path, { method, headers, body: "name=x" });
        expect([method, path, origin, res.status]).toEqual([method, path, origin, 403]);
        expect(await res.text()).toContain(CSRF_REFUSAL);
      }
      const own = await relayed(path, {
        method,
        headers: { ...owner, origin: OWN, "content-type": "application/x-www-form-urlencoded" },
        body: "name=x",
      });
      expect([method, path, (await own.text()).includes(CSRF_REFUSAL)]).toEqual([method, path, false]);
    }
  });

  test("WebDAV: a cross-site form POST to /dav/ with the owner's cookie is refused like any other", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const res = await relayed("/dav/x.txt", {
        method: "POST",
        headers: { ...owner, origin: `https://bob.${ZONE}:8443`, "content-type": type },
        body: "x",
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(CSRF_REFUSAL);
    }
  });

  test("text/plain and multipart bodies are checked too (a form can send both cross-site)", async () => {
    for (const type of ["text/plain", "multipart/form-data; boundary=x"]) {
      const res = await relayed("/browse/root/mkdir", {
        method: "POST",
        headers: { ...owner, origin: `https://bob.${ZONE}:8443`, "content-type": type },
        body: "x",
      });
      expect(res.status).toBe(403);
    }
  });

  test("the local listener refuses the same on its setup forms", async () => {
    const routes = stateChangingRoutes(s.localApp);
    expect(routes.map(([m, p]) => `${m} ${p}`)).toEqual(expect.arrayContaining(["POST /setup"]));
    for (const [method, path] of routes) {
      for (const origin of [...foreign, OWN, undefined]) {
        const headers: Record<string, string> = {
          host: new URL(LOCAL).host, // the right Host: only the Origin is wrong
          "content-type": "application/x-www-form-urlencoded",
        };
        if (origin) headers.origin = origin;
        const res = await s.localApp.request(`${LOCAL}${path}`, { method, headers, body: "token=x" });
        expect([path, origin, res.status]).toEqual([path, origin, 403]);
        expect(await res.text()).toContain(CSRF_REFUSAL);
      }
      const own = await s.localApp.request(`${LOCAL}${path}`, {
        method,
        headers: {
          host: new URL(LOCAL).host,
          origin: LOCAL,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "token=x",
      });
      expect((await own.text()).includes(CSRF_REFUSAL)).toBe(false);
    }
  });
});

describe("security headers on every page of both listeners", () => {
  const expectStrict = (res: Response, what: string) => {
    const csp = res.headers.get("content-security-policy") ?? "";
    expect([what, csp]).toEqual([what, expect.stringContaining("script-src 'self'")]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  };

  test("the relayed listener: the owner's pages, a stranger's pages, errors and static files", async () => {
    for (const path of ["/browse", "/settings", "/add", "/notifications", "/trash", "/no-such-page"]) {
      expectStrict(await relayed(path, { headers: owner }), `owner ${path}`);
    }
    for (const path of ["/", "/browse", "/healthz", "/_static/htmx.min.js", "/_static/nope"]) {
      expectStrict(await relayed(path), `stranger ${path}`);
    }
  });

  test("the local listener: landing page, setup refusal, health", async () => {
    for (const path of ["/", "/setup?token=nope", "/healthz", "/nothing"]) {
      expectStrict(await s.localApp.request(`${LOCAL}${path}`), `local ${path}`);
    }
  });

  test("no page has an inline script: every <script> has a src", async () => {
    for (const path of ["/browse", "/settings", "/add", "/notifications"]) {
      const html = await (await relayed(path, { headers: owner })).text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect([path, tag]).toEqual([path, expect.stringMatching(/\ssrc="/)]);
      expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers either
    }
  });
});

describe("static files and error pages", () => {
  test("/_static/ serves htmx and the bundled client code with cache validators", async () => {
    for (const name of ["htmx.min.js", "hx-sse.min.js", "files.js", "files.css"]) {
      const res = await relayed(`/_static/${name}`);
      expect([name, res.status]).toEqual([name, 200]);
      const etag = res.headers.get("etag")!;
      expect(res.headers.get("cache-control")).toContain("public");
      const again = await relayed(`/_static/${name}`, { headers: { "if-none-match": etag } });
      expect(again.status).toBe(304);
    }
    const bundle = await (await relayed("/_static/files.js")).text();
    expect(bundle).toContain("Tus-Resumable"); // tus-js-client is bundled in
  });

  test("names of Object.prototype are not files, and a stranger's 404 shows none of the owner's data", async () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      const res = await relayed(`/_static/${name}`);
      const html = await res.text();
      expect([name, res.status]).toEqual([name, 404]);
      expect(html).not.toContain('id="bell"');
      expect(html).not.toContain("Notifications");
      expect(html).not.toContain('href="/settings"');
    }
    // Behind the owner check, the owner still gets the shell on a 404; a stranger never reaches it.
    const mine = await relayed("/no-such-page", { headers: owner });
    expect(mine.status).toBe(404);
    expect(await mine.text()).toContain('id="bell"');
  });
});

describe("listeners never show a stack", () => {
  test("an empty Host header on the local listener gets a plain error, not Bun's development page", async () => {
    const live = await startUserServer({ config, log: silentLogger });
    try {
      for (const path of ["/setup?token=x", "/?a=b", "/healthz?x"]) {
        const reply = await rawHttp(
          live.localPort!,
          `GET ${path} HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n`,
        );
        expect(reply).toMatch(/^HTTP\/1\.1 [45]\d\d /);
        expect(reply).not.toContain("hono-base");
        expect(reply).not.toContain(process.cwd());
        expect(reply).not.toMatch(/\bat [#\w]+ \(/);
        expect(reply.length).toBeLessThan(5000);
      }
    } finally {
      await live.stop();
    }
  });
});

function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (socket) => void socket.write(request),
        data: (_socket, chunk) => void (out += new TextDecoder().decode(chunk)),
        close: () => resolve(out),
        error: (_socket, e) => reject(e),
      },
    }).catch(reject);
  });
}

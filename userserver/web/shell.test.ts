/**
 * The shell as Hono apps (no listeners): the one owner check guards every user-data route, the
 * local listener serves no user data, full pages vs fragments, Add refuses paths outside the roots.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context, MiddlewareHandler } from "hono";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import type { ShellAuth } from "./auth.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-shell-"));
// Outside the data directory: nothing inside it may ever be imported.
const roots = join(mkdtempSync(join(tmpdir(), "hearth-shell-roots-")), "roots");
mkdirSync(join(roots, "Photos"), { recursive: true });
for (let i = 0; i < 5; i++) writeFileSync(join(roots, "Photos", `p${i}.txt`), `photo ${i}`);
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", importRoots: [roots], setupDone: true }),
);

/** Mimics the OIDC module's contract: `who` is the signed-in account (or nobody). */
let who: string | undefined = "alice";
const contractAuth: ShellAuth = {
  requireOwner: async function requireOwner(c, next) {
    if (!who) return c.redirect("https://id.hearth.localhost/authorize", 302);
    if (who !== "alice") {
      return c.req.path === "/"
        ? c.html("<h1>This Hearth belongs to someone else</h1>", 403)
        : c.text("Not found", 404);
    }
    await next();
  } as MiddlewareHandler,
  currentUser: (_c: Context) => (who ? { name: who } : undefined),
};

/** alice's public origin (default port 443): the CSRF check admits posts from her own pages only. */
const OWN_ORIGIN = "https://alice.hearth.localhost";

let s: UserServer;
let bare: UserServer;
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, auth: contractAuth, listen: false });
});
afterAll(async () => {
  await s?.stop();
  await bare?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(roots, ".."), { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  s.relayedApp.request(`https://alice.hearth.localhost${path}`, { headers });
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  s.relayedApp.request(`https://alice.hearth.localhost${path}`, {
    method: "POST",
    body: new URLSearchParams(form),
    headers: { origin: OWN_ORIGIN, ...headers },
  });

describe("the owner check", () => {
  test("every route but / returns 404 to a signed-in non-owner; unauthenticated browsers are sent to sign in", async () => {
    const paths = new Set(
      s.relayedApp.routes.map((r) => r.path).filter((p) => p !== "*" && p !== "/*")
        .map((p) => p.replace(/:[a-z]+/gi, "x1")),
    );
    paths.add("/no-such-page");
    expect(paths.size).toBeGreaterThan(10);
    // Public by design, no user data: health, static files, and the installable app's manifest,
    // icons, service worker and offline page (userserver/pwa).
    const publicPaths = new Set(["/healthz", "/_static/x1", "/manifest.webmanifest", "/sw.js", "/offline"]);
    who = "bob";
    try {
      for (const p of paths) {
        if (publicPaths.has(p)) continue;
        const res = await s.relayedApp.request(`https://alice.hearth.localhost${p}`, { method: "GET" });
        const res2 = await s.relayedApp.request(`https://alice.hearth.localhost${p}`, {
          method: "POST",
          headers: { origin: OWN_ORIGIN },
        });
        if (p === "/") {
          expect(await res.text()).toContain("belongs to someone else");
        } else if (p === "/dav" || p.startsWith("/dav/")) {
          // WebDAV answers anyone without an app password with a Basic challenge (clients need it)
          // and shows nothing; its existence is no secret. POST is no WebDAV method.
          expect([p, res.status, res.headers.get("www-authenticate")?.startsWith("Basic")]).toEqual([
            p,
            401,
            true,
          ]);
          expect(await res.text()).not.toContain("Settings");
        } else {
          expect([p, res.status]).toEqual([p, 404]);
          expect([p, res2.status]).toEqual([p, 404]);
        }
      }
      who = undefined;
      const anon = await get("/browse");
      expect(anon.status).toBe(302);
    } finally {
      who = "alice";
    }
  });

  test("with no sign-in configured the relayed app refuses user data with a clear message", async () => {
    const d2 = mkdtempSync(join(tmpdir(), "hearth-shell-bare-"));
    writeFileSync(
      join(d2, "config.json"),
      JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
    );
    bare = await startUserServer({
      config: loadUserServerConfig(d2, join(d2, "config.json")).config,
      log: silentLogger,
      listen: false,
    });
    const home = await bare.relayedApp.request("https://alice.hearth.localhost/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Sign-in is not set up on this server yet, so it shows no data");
    for (const p of ["/browse", "/add", "/settings", "/notifications", "/events/bell", "/files/x"]) {
      const res = await bare.relayedApp.request(`https://alice.hearth.localhost${p}`);
      expect([p, res.status]).toEqual([p, 503]);
      expect(await res.text()).toContain("Sign-in is not set up");
    }
    expect((await bare.relayedApp.request("https://alice.hearth.localhost/healthz")).status).toBe(200);
  });
});

describe("the local listener", () => {
  test("serves no user data without a local session: only health, the landing page and the token-gated setup", async () => {
    const local = s.localApp;
    const ok = await local.request("https://local.alice.hearth.localhost:9443/healthz");
    expect((await ok.json() as { tunnels: unknown[] }).tunnels).toEqual([]);
    for (
      const p of ["/browse", "/add", "/settings", "/notifications", "/events/bell", "/files/x", "/add/jobs/x"]
    ) {
      expect([p, (await local.request(`https://local.alice.hearth.localhost:9443${p}`)).status]).toEqual([
        p,
        401,
      ]);
      const page = await local.request(`https://local.alice.hearth.localhost:9443${p}`, {
        headers: { accept: "text/html" },
      });
      expect([p, page.status, page.headers.get("location")]).toEqual([
        p,
        303,
        `/local/signin?next=${encodeURIComponent(p)}`,
      ]);
    }
    const setup = await local.request("https://local.alice.hearth.localhost:9443/setup?token=guess", {
      headers: { host: "local.alice.hearth.localhost:9443" },
    });
    expect(setup.status).toBe(404); // setup is done: no token exists
  });
});

describe("the shell", () => {
  test("full-page GETs get the layout with the tabs; htmx partial requests get the fragment", async () => {
    const full = await (await get("/browse")).text();
    expect(full).toContain("<html");
    for (const tab of ["Browse", "Add", "Settings"]) expect(full).toContain(`>${tab}</a>`);
    expect(full).toContain('hx-sse:connect="/events/bell"');
    const frag = await (await get("/browse", { "HX-Request": "true", "HX-Request-Type": "partial" })).text();
    expect(frag).not.toContain("<html");
    expect(frag).toContain("Your files");
    expect((await get("/")).headers.get("location")).toBe("/browse");
  });

  test("the owner's not-found page offers a way home; a listing counts items in words", async () => {
    const missing = await get("/no-such-page");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<a href="/">Back to your files</a>');
    const empty = await (await get("/browse")).text();
    expect(empty).not.toContain("0–0 of 0");
  });

  test("an account menu on every page: who is signed in, the IdCloud account (port included) and sign-out", async () => {
    const page = await (await get("/browse")).text();
    expect(page).toContain('<details class="account-menu">');
    expect(page).toMatch(/Signed in as <strong>alice<\/strong>/);
    expect(page).toContain('href="https://id.hearth.localhost:8787/account"');
    expect(page).toContain('href="https://id.hearth.localhost:8787/account/security"');
    expect(page).toMatch(/<form method="post" action="\/auth\/logout"/);
    expect(page).toContain('<link rel="icon" href="data:image/svg+xml,'); // a favicon, allowed by img-src data:
  });

  test("Add refuses a path outside the import roots and imports one inside, with a notification", async () => {
    const outside = await post("/add", { path: "/etc" });
    expect(outside.status).toBe(400);
    expect(await outside.text()).toContain("is outside the import roots");
    const traversal = await post("/add", { path: `${roots}/../..` });
    expect(traversal.status).toBe(400);
    const started = await post("/add", { path: join(roots, "Photos") });
    expect(started.status).toBe(303);
    const jobUrl = started.headers.get("location")!;
    await s.importer.settled(jobUrl.split("/").at(-1)!);
    const page = await (await get(jobUrl)).text();
    expect(page).toContain('data-status="done"');
    expect(page).toContain("5 / 5");
    await Bun.sleep(10);
    const notes = await (await get("/notifications")).text();
    expect(notes).toContain("Import finished: 5 files from Photos");
  });

  test("Settings shows the import roots read-only; through the relay they cannot be changed (403)", async () => {
    const page = await (await get("/settings")).text();
    expect(page).toContain(roots);
    expect(page).not.toContain('name="importRoots"');
    expect(page).toMatch(/<textarea id="importRoots" readonly/);
    const refused = await post("/settings", { importRoots: "/" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("only on this computer");
    const onDisk = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(onDisk.importRoots).toEqual([roots]);
    expect(onDisk.version).toBe(CONFIG_VERSION);
  });
});

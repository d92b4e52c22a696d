/** The Search plugin through the relayed app: results as a page and as an htmx fragment, the door, Settings. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { switchableAuth } from "../web/_test_auth.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-search-plugin-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
);
/** Who is signed in: the owner, another account, or nobody. */
const { auth, signIn } = switchableAuth("alice");

let s: UserServer;
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, auth, listen: false });
  const folder = await s.core.store.createFolder(ROOT_ID, "Recipes");
  writeFileSync(join(dir, "src.md"), "Grandma's <b>apricot</b> jam: boil the apricots with sugar.");
  await s.core.store.importFile(folder.id, "jam.md", join(dir, "src.md"), { mtime: Date.now() });
  await s.core.search.indexer.idle();
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  s.relayedApp.request(`https://alice.hearth.localhost${path}`, { headers });

describe("the Search plugin", () => {
  test("a full page for a plain GET, with the hit, its folder and an escaped snippet", async () => {
    const res = await get("/search?q=apricot");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('role="search"');
    expect(page).toContain("jam.md");
    expect(page).toContain("Home/Recipes");
    expect(page).toContain("<mark>apricot</mark>");
    expect(page).not.toContain("<b>apricot</b>");
  });

  test("htmx's as-you-type request gets only the results", async () => {
    const res = await get("/search?q=apri", { "HX-Request": "true", "HX-Request-Type": "partial" });
    const body = await res.text();
    expect(body.startsWith('<div id="search-results"')).toBe(true);
    expect(body).toContain("jam.md");
    expect(body).not.toContain("<html");
    const none = await (await get("/search?q=zzzz", { "HX-Request": "true", "HX-Request-Type": "partial" }))
      .text();
    expect(none).toContain("Nothing matches");
  });

  test("the header's suggestions: a listbox of options as you type, hidden for an empty box", async () => {
    const body = await (await get("/search/suggest?q=apri", { "HX-Request": "true" })).text();
    expect(body.startsWith('<div id="header-search-list" role="listbox"')).toBe(true);
    expect(body).not.toMatch(/role="listbox"[^>]* hidden/);
    expect(body).toMatch(/<a id="header-search-list-0" role="option"[^>]* href="\/browse\/[^"]+"/);
    expect(body).toContain("jam.md");
    expect(body).toContain('href="/search?q=apri"');
    const empty = await (await get("/search/suggest?q=", { "HX-Request": "true" })).text();
    expect(empty).toMatch(/role="listbox"[^>]* hidden/);
    expect(empty).not.toContain('role="option"');
    // Every page's header box controls that list.
    const page = await (await get("/browse")).text();
    expect(page).toMatch(/role="combobox"[^>]*aria-controls="header-search-list"/);
  });

  test("only the owner gets past the door; Settings shows the index state", async () => {
    try {
      signIn(undefined);
      expect((await get("/search?q=apricot")).status).toBe(302);
      signIn("mallory");
      expect((await get("/search?q=apricot")).status).toBe(404);
    } finally {
      signIn("alice");
    }
    const settings = await (await get("/settings")).text();
    expect(settings).toContain("Search index");
    expect(settings).toMatch(/\d+ items searchable/);
  });
});

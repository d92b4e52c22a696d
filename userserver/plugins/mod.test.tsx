/**
 * The plugin contract, end to end through the relayed app: a throw-away plugin registers each
 * kind of contribution and each one shows up — its tab, its routes (open to the viewers its route
 * group admits, refused to the rest as if they did not exist), its Settings section, its item
 * type (icon, preview, thumbnail), its indexer hook on item changes and its activity kinds.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { switchableAuth } from "../web/_test_auth.ts";
import { admitted, type ItemChange, type Plugin, requireAccess, type ShellEnv } from "./mod.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-plugins-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
);

/** Who is signed in: the owner, another account, or nobody. */
const { auth, signIn } = switchableAuth("alice");

const changes: ItemChange[] = [];
const sketches: Plugin = {
  id: "sketches",
  nav: [{ label: "Sketches", path: "/sketches", order: 30 }],
  viewers: { "/sketches/gallery": ["anonymous"], "/sketches/shared": ["linkGuest"] },
  // A visitor holding the sketch-share header is a link guest of the root (a stand-in for a link cookie).
  recognise: (c) =>
    c.req.header("x-sketch-share") === "s3cret"
      ? {
        kind: "linkGuest",
        linkId: "l1",
        label: "Sketch share",
        rootId: "root",
        access: "read",
        mayComment: false,
      }
      : undefined,
  itemTypes: [{
    id: "sketch",
    label: "Sketch",
    icon: "image",
    matches: (i) => i.name.endsWith(".sketch"),
    preview: (i) => <p class="sketch-preview">A sketch called {i.name}</p>,
    thumbnail: () => Promise.resolve(new TextEncoder().encode("sketch-thumb")),
  }],
  settings: { id: "sketches", title: "Sketch pad", render: () => <p>Pen width: 3 px</p> },
  indexer: (change) => void changes.push(change),
  activityKinds: [{ id: "sketch.drawn", label: "Drew a sketch", icon: "image" }],
  app(core) {
    const app = new Hono<ShellEnv>();
    app.get("/sketches", (c) => c.text(`studio of ${core.config.current.name}`));
    app.post("/sketches", (c) => c.text("saved"));
    app.get("/sketches/gallery", (c) => c.text("the public gallery"));
    app.get("/sketches/shared", (c) => c.text(`shared with ${c.get("viewer").kind}`));
    app.get("/sketches/item/:id", async (c) => {
      const { ancestry } = await requireAccess(core, c, c.req.param("id"), "read");
      return c.text(ancestry.map((i) => i.name || "Home").join("/"));
    });
    return app;
  },
};

let s: UserServer;
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, auth, listen: false, plugins: [sketches] });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The Origin of alice's own pages: the CSRF check (userserver/web/csrf.ts) refuses posts without it.
const request = (path: string, method = "GET") =>
  s.relayedApp.request(`https://alice.hearth.localhost${path}`, {
    method,
    headers: { origin: "https://alice.hearth.localhost" },
  });

describe("a throw-away plugin", () => {
  test("its nav entry is a tab, between Add and Settings", async () => {
    const page = await (await request("/browse")).text();
    expect(page).toContain(">Sketches</a>");
    const tabs = [...page.matchAll(/<nav class="tabs"[^]*?<\/nav>/g)][0][0];
    expect([...tabs.matchAll(/>([A-Za-z]+)<\/a>/g)].map((m) => m[1])).toEqual([
      "Browse",
      "Photos",
      "Add",
      "Friends",
      "Sketches",
      "Settings",
    ]);
  });

  test("its routes answer the viewers their group admits; others meet sign-in or 404", async () => {
    expect(await (await request("/sketches")).text()).toBe("studio of alice");
    expect(await (await request("/sketches", "POST")).text()).toBe("saved");
    expect(admitted(sketches, "/sketches").has("anonymous")).toBe(false);
    expect(admitted(sketches, "/sketches/gallery").has("anonymous")).toBe(true);
    expect(admitted(sketches, "/sketches/gallery/:id").has("anonymous")).toBe(true);
    // By whole segments: a longer name that merely starts the same is not in the group.
    expect(admitted(sketches, "/sketches/gallery-admin").has("anonymous")).toBe(false);
    expect(admitted(sketches, "/sketches/shared2").has("linkGuest")).toBe(false);
    try {
      signIn(undefined); // anonymous
      expect(await (await request("/sketches/gallery")).text()).toBe("the public gallery");
      const refused = await request("/sketches");
      expect(refused.status).toBe(302);
      expect(refused.headers.get("location")).toContain("id.hearth.localhost");
      expect((await request("/sketches", "POST")).status).toBe(302);
      signIn("mallory"); // signed in, not the owner, not a friend
      expect((await request("/sketches")).status).toBe(404);
      expect((await request("/sketches", "POST")).status).toBe(404);
      expect(await (await request("/sketches/gallery")).text()).toBe("the public gallery");
    } finally {
      signIn("alice");
    }
  });

  test("the visitors it recognises become its viewers; nobody else does", async () => {
    try {
      signIn(undefined);
      const guest = await s.relayedApp.request("https://alice.hearth.localhost/sketches/shared", {
        headers: { "x-sketch-share": "s3cret" },
      });
      expect(await guest.text()).toBe("shared with linkGuest");
      const wrong = await s.relayedApp.request("https://alice.hearth.localhost/sketches/shared", {
        headers: { "x-sketch-share": "guess" },
      });
      expect(wrong.status).toBe(302); // anonymous: off to sign in, as if the route did not exist
      // A link guest is not admitted where the plugin did not say so.
      const studio = await s.relayedApp.request("https://alice.hearth.localhost/sketches", {
        headers: { "x-sketch-share": "s3cret" },
      });
      expect(studio.status).not.toBe(200);
    } finally {
      signIn("alice");
    }
  });

  test("its Settings section is rendered on the Settings page", async () => {
    const page = await (await request("/settings")).text();
    expect(page).toContain("<h2>Sketch pad</h2>");
    expect(page).toContain("Pen width: 3 px");
  });

  test("its item type gives the icon, the preview and the thumbnail; the access check gives the ancestry", async () => {
    const folder = await s.core.store.createFolder(ROOT_ID, "Art");
    const src = mkdtempSync(join(tmpdir(), "hearth-sketch-")); // outside the data directory
    const file = join(src, "cat.sketch");
    writeFileSync(file, "lines");
    const { item } = await s.core.store.importFile(folder.id, "cat.sketch", file, { mtime: 1 });
    rmSync(src, { recursive: true, force: true });
    expect(s.web.plugins.typeOf(item).id).toBe("sketch");
    const listing = await (await request(`/browse/${folder.id}`)).text();
    expect(listing).toContain('title="Sketch"');
    expect(listing).toContain(`/files/${item.id}/thumb`);
    expect(await (await request(`/browse/${item.id}`)).text()).toContain("A sketch called cat.sketch");
    expect(await (await request(`/files/${item.id}/thumb`)).text()).toBe("sketch-thumb");
    expect(await (await request(`/sketches/item/${item.id}`)).text()).toBe("Home/Art/cat.sketch");
    expect((await request("/sketches/item/no-such-item")).status).toBe(404);
  });

  test("its indexer hears item changes; its activity kinds are listed", async () => {
    const before = changes.length;
    const f = await s.core.store.createFolder(ROOT_ID, "Indexed");
    await s.core.store.delete(f.id);
    const mine = changes.slice(before).filter((c) => c.item.id === f.id).map((c) => c.change);
    expect(mine).toEqual(["created", "deleted"]);
    expect(s.web.plugins.activityKinds().map((k) => k.id)).toContain("sketch.drawn");
  });
});

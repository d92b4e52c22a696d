/**
 * WebDAV through the relayed app: app passwords from Settings, the Basic challenge, and the methods
 * clients use, on the real store (a PUT here is a file in Browse). litmus and rclone run against a
 * real stack in testing/dav.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { switchableAuth } from "../web/_test_auth.ts";
import { etagOfHash } from "./routes.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-dav-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true }),
);
const { auth, signIn } = switchableAuth("alice");
const ORIGIN = "https://alice.hearth.localhost";
let s: UserServer;
let basic = "";

beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, auth, listen: false });
  const page = await s.relayedApp.request(`${ORIGIN}/settings/app-passwords`, {
    method: "POST",
    headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    body: "label=Laptop",
  });
  const password = /id="new-app-password">([^<]+)</.exec(await page.text())![1];
  basic = `Basic ${btoa(`alice:${password}`)}`;
  signIn(undefined); // from here on, only the app password speaks for alice
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dav = (path: string, method: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
  s.relayedApp.request(`${ORIGIN}${path}`, {
    method,
    headers: { authorization: basic, ...init.headers },
    body: init.body,
  });

describe("WebDAV", () => {
  test("no or a wrong app password gets a Basic challenge, not the sign-in page", async () => {
    const none = await s.relayedApp.request(`${ORIGIN}/dav/`, {
      method: "PROPFIND",
      headers: { depth: "0" },
    });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
    const wrong = await s.relayedApp.request(`${ORIGIN}/dav/`, {
      method: "PROPFIND",
      headers: { depth: "0", authorization: `Basic ${btoa("alice:nope.nope")}` },
    });
    expect(wrong.status).toBe(401);
    // The app password opens WebDAV only: the rest of the server still wants a sign-in.
    expect((await s.relayedApp.request(`${ORIGIN}/settings`, { headers: { authorization: basic } })).status)
      .not.toBe(200);
  });

  test("PUT, PROPFIND, GET with a range, and the file is in Browse's tree", async () => {
    expect((await dav("/dav/Notes", "MKCOL")).status).toBe(201);
    const put = await dav("/dav/Notes/hello%20world.txt", "PUT", {
      body: "hello, world",
      headers: { "content-type": "text/plain", "x-oc-mtime": "1700000000" },
    });
    expect(put.status).toBe(201);
    const folder = await s.core.store.items.childByName(ROOT_ID, "Notes");
    const file = await s.core.store.items.childByName(folder!.id, "hello world.txt");
    expect(file?.size).toBe(12);
    expect(file?.mtime).toBe(1700000000 * 1000);
    const list = await dav("/dav/Notes/", "PROPFIND", { headers: { depth: "1" } });
    expect(list.status).toBe(207);
    const xml = await list.text();
    expect(xml).toContain("<D:href>/dav/Notes/hello%20world.txt</D:href>");
    expect(xml).toContain(`<D:getetag>${etagOfHash(file!.blobHash!).replaceAll('"', "&#34;")}</D:getetag>`);
    expect(put.headers.get("etag")).toBe(etagOfHash(file!.blobHash!));
    const part = await dav("/dav/Notes/hello%20world.txt", "GET", { headers: { range: "bytes=7-" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("world");
  });

  test("Depth: infinity is refused with the standard error; bad XML is 400", async () => {
    const inf = await dav("/dav/", "PROPFIND", { headers: { depth: "infinity" } });
    expect(inf.status).toBe(403);
    expect(await inf.text()).toContain("propfind-finite-depth");
    expect((await dav("/dav/", "PROPFIND", { headers: { depth: "0" }, body: "<propfind" })).status).toBe(400);
  });

  test("a lock keeps others out until its token is submitted", async () => {
    const lock = await dav("/dav/Notes/hello%20world.txt", "LOCK", {
      body:
        `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>me</D:owner></D:lockinfo>`,
    });
    expect(lock.status).toBe(200);
    const token = lock.headers.get("lock-token")!;
    expect(token).toMatch(/^<opaquelocktoken:/);
    expect((await dav("/dav/Notes/hello%20world.txt", "PUT", { body: "x" })).status).toBe(423);
    expect(
      (await dav("/dav/Notes/hello%20world.txt", "PUT", { body: "x", headers: { if: `(${token})` } })).status,
    )
      .toBe(204);
    expect((await dav("/dav/Notes/hello%20world.txt", "UNLOCK", { headers: { "lock-token": token } })).status)
      .toBe(204);
    expect((await dav("/dav/Notes/hello%20world.txt", "DELETE")).status).toBe(204);
  });

  test("COPY and MOVE honour Destination and Overwrite", async () => {
    await dav("/dav/a.txt", "PUT", { body: "A" });
    await dav("/dav/b.txt", "PUT", { body: "B" });
    const dest = (p: string) => ({ destination: `${ORIGIN}${p}` });
    expect((await dav("/dav/a.txt", "COPY", { headers: { ...dest("/dav/b.txt"), overwrite: "F" } })).status)
      .toBe(412);
    expect((await dav("/dav/a.txt", "COPY", { headers: dest("/dav/b.txt") })).status).toBe(204);
    expect(await (await dav("/dav/b.txt", "GET")).text()).toBe("A");
    expect((await dav("/dav/a.txt", "MOVE", { headers: dest("/dav/c.txt") })).status).toBe(201);
    expect((await dav("/dav/a.txt", "GET")).status).toBe(404);
    expect((await dav("/dav/c.txt", "MOVE", { headers: dest("/dav/nowhere/c.txt") })).status).toBe(409);
  });

  test("PROPPATCH stores dead properties and refuses protected ones atomically", async () => {
    await dav("/dav/p.txt", "PUT", { body: "p" });
    const set = await dav("/dav/p.txt", "PROPPATCH", {
      body:
        `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/ns"><D:set><D:prop><Z:colour>blue &amp; <Z:b>bold</Z:b></Z:colour></D:prop></D:set></D:propertyupdate>`,
    });
    expect(set.status).toBe(207);
    expect(await set.text()).toContain("200 OK");
    const got = await (await dav("/dav/p.txt", "PROPFIND", {
      headers: { depth: "0" },
      body:
        `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><Z:colour xmlns:Z="http://example.com/ns"/></D:prop></D:propfind>`,
    })).text();
    expect(got).toContain("blue &amp; ");
    expect(got).toContain("bold");
    const refused = await (await dav("/dav/p.txt", "PROPPATCH", {
      body:
        `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/ns"><D:set><D:prop><D:getetag>x</D:getetag><Z:size>1</Z:size></D:prop></D:set></D:propertyupdate>`,
    })).text();
    expect(refused).toContain("403 Forbidden");
    expect(refused).toContain("424 Failed Dependency");
  });

  test("macOS clutter (._* and .DS_Store) is kept for WebDAV clients but not listed in Browse", async () => {
    for (const name of ["._photo.jpg", ".DS_Store", "photo.jpg"]) {
      expect((await dav(`/dav/${name}`, "PUT", { body: "x" })).status).toBe(201);
    }
    const listed = await (await dav("/dav/", "PROPFIND", { headers: { depth: "1" } })).text();
    expect(listed).toContain("/dav/._photo.jpg");
    expect(listed).toContain("/dav/.DS_Store");
    signIn("alice");
    try {
      const page = await (await s.relayedApp.request(`${ORIGIN}/browse`)).text();
      expect(page).toContain("photo.jpg");
      expect(page).not.toContain("._photo.jpg");
      expect(page).not.toContain(".DS_Store");
    } finally {
      signIn(undefined);
    }
  });

  test("the local listener serves /dav/ to an app password too, and a Basic challenge to anyone else", async () => {
    const LOCAL = "https://local.alice.hearth.localhost:9443";
    const ok = await s.localApp.request(`${LOCAL}/dav/`, {
      method: "PROPFIND",
      headers: { depth: "1", authorization: basic },
    });
    expect(ok.status).toBe(207);
    expect(await ok.text()).toContain("/dav/Notes/");
    const none = await s.localApp.request(`${LOCAL}/dav/`, { method: "PROPFIND", headers: { depth: "0" } });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
  });
});

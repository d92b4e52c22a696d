/**
 * Share links through the relayed app on a real store: the owner's REST API, and visitors with no
 * account — scope (nothing outside the linked item), active/expiry, passwords with per-address
 * throttling, download limits, preview-only never sending an original byte, file drop, zips.
 * Chromium through a relay: e2e/links.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTestVideo } from "./_test_video.ts";
import sharp from "sharp";
import type { UserServer } from "../boot/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { TEST_ORIGIN, type TestServer, testServer } from "../_test_server.ts";

const ORIGIN = TEST_ORIGIN;
let t: TestServer;
let s: UserServer;
let dir: string;
const signIn = (name: string | undefined) => t.signIn(name);
let shared: Item;
let secret: Item;
let photo: Item;
let text: Item;
let sub: Item;
let photoBytes: Uint8Array;

async function put(parent: string, name: string, bytes: Uint8Array): Promise<Item> {
  const tmp = join(dir, `put-${name}`);
  writeFileSync(tmp, bytes);
  return (await s.core.store.importFile(parent, name, tmp, { mtime: Date.now(), type: mediaType(name) }))
    .item;
}
const mediaType = (name: string) =>
  name.endsWith(".png") ? "image/png" : name.endsWith(".txt") ? "text/plain" : "application/octet-stream";

/** A request as from `address` (the relayed app sees the browser's address through getConnInfo). */
function req(path: string, init: RequestInit & { address?: string } = {}) {
  return t.request(path, init, init.address);
}

async function api(method: string, path: string, body?: unknown) {
  signIn("alice");
  const r = await req(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  signIn(undefined);
  return r;
}

async function newLink(itemId: string, settings: Record<string, unknown> = {}) {
  const r = await api("POST", "/api/links", { itemId, ...settings });
  expect(r.status).toBe(201);
  return (await r.json()).link as { id: string; token: string; url: string; state: string };
}

beforeAll(async () => {
  t = await testServer("links");
  s = t.server;
  dir = t.dir;
  shared = await s.core.store.createFolder(ROOT_ID, "Holiday");
  secret = await put(ROOT_ID, "secret.txt", new TextEncoder().encode("not for guests"));
  photoBytes = new Uint8Array(
    await sharp({ create: { width: 640, height: 480, channels: 3, background: "#3a6" } }).png().toBuffer(),
  );
  photo = await put(shared.id, "beach.png", photoBytes);
  text = await put(shared.id, "notes.txt", new TextEncoder().encode("sunny"));
  sub = await s.core.store.createFolder(shared.id, "Day 2");
  await put(sub.id, "more.txt", new TextEncoder().encode("more"));
  signIn(undefined);
});
afterAll(async () => {
  await t?.stop();
});

describe("links", () => {
  test("a visitor sees the linked folder and what is below it, nothing else", async () => {
    const link = await newLink(shared.id, { label: "Holiday" });
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{32}$/); // 192 random bits
    expect(link.url).toBe(`${ORIGIN}/s/${link.token}`);
    const page = await req(`/s/${link.token}`);
    expect(page.status).toBe(200);
    const body = await page.text();
    for (const name of ["beach.png", "notes.txt", "Day 2"]) expect(body).toContain(name);
    expect(body).not.toContain("secret.txt");
    expect((await req(`/s/${link.token}/i/${sub.id}`)).status).toBe(200);
    expect(await (await req(`/s/${link.token}/files/${text.id}`)).text()).toBe("sunny");
    // Outside the link: 404 on every route, and the owner's own routes are not the visitor's.
    expect((await req(`/s/${link.token}/i/${secret.id}`)).status).toBe(404);
    expect((await req(`/s/${link.token}/files/${secret.id}`)).status).toBe(404);
    expect((await req(`/s/${link.token}/i/${ROOT_ID}`)).status).toBe(404);
    expect((await req(`/files/${text.id}`)).status).not.toBe(200);
    expect((await req(`/browse/${shared.id}`)).status).not.toBe(200);
    expect((await req(`/s/${"A".repeat(32)}`)).status).toBe(404);
  });

  test("switched off answers 404 and keeps settings and counts; expired answers 404", async () => {
    const link = await newLink(text.id, { label: "Notes", downloadLimit: 5 });
    await req(`/s/${link.token}/files/${text.id}?download=1`);
    expect((await api("PATCH", `/api/links/${link.id}`, { active: false })).status).toBe(200);
    expect((await req(`/s/${link.token}`)).status).toBe(404);
    expect((await req(`/s/${link.token}/files/${text.id}`)).status).toBe(404);
    const off = (await (await api("GET", `/api/links/${link.id}`)).json()).link;
    expect(off).toMatchObject({ state: "inactive", downloads: 1, downloadLimit: 5, label: "Notes" });
    await api("PATCH", `/api/links/${link.id}`, { active: true });
    expect((await req(`/s/${link.token}`)).status).toBe(200);
    await api("PATCH", `/api/links/${link.id}`, { expiresAt: Date.now() - 1000 });
    expect((await req(`/s/${link.token}`)).status).toBe(404);
    expect((await (await api("GET", `/api/links/${link.id}`)).json()).link.state).toBe("expired");
  });

  test(
    "a password link: wrong passwords are throttled per address; other addresses and unlocked browsers go on",
    async () => {
      const link = await newLink(text.id, { label: "Locked", password: "correct horse" });
      expect((await req(`/s/${link.token}`)).status).toBe(401);
      expect((await req(`/s/${link.token}/files/${text.id}`)).status).toBe(401);
      const form = (password: string, address: string) =>
        req(`/s/${link.token}/unlock`, {
          method: "POST",
          address,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ password }).toString(),
        });
      // A browser that unlocked before the attack.
      const early = await form("correct horse", "198.51.100.1");
      expect(early.status).toBe(303);
      const cookie = early.headers.get("set-cookie")!.split(";")[0]!;
      expect(cookie).toStartWith(`__Host-hearth-link-${link.id}=`);
      for (let i = 0; i < 9; i++) expect((await form(`guess ${i}`, "192.0.2.66")).status).toBe(401);
      const tenth = await form("guess 9", "192.0.2.66");
      expect(tenth.status).toBe(429);
      expect(await tenth.text()).toContain("Try again after");
      // Even the right password waits now, from that address…
      expect((await form("correct horse", "192.0.2.66")).status).toBe(429);
      // …but another address is not locked out, and the unlocked browser goes straight in.
      expect((await form("correct horse", "192.0.2.99")).status).toBe(303);
      expect((await req(`/s/${link.token}`, { headers: { cookie }, address: "192.0.2.66" })).status).toBe(
        200,
      );
      const figures = (await (await api("GET", `/api/links/${link.id}`)).json()).link;
      expect(figures.failedPasswords).toBe(10);
      // A new password locks out every browser that unlocked with the old one.
      await api("PATCH", `/api/links/${link.id}`, { password: "battery staple" });
      expect((await req(`/s/${link.token}`, { headers: { cookie } })).status).toBe(401);
    },
    120_000,
  ); // a dozen argon2id checks: slow on a busy machine

  test("the password is stored only as an argon2id hash", async () => {
    const link = await newLink(text.id, { password: "hunter22" });
    const row = s.core.reader.get<{ password_hash: string }>(
      "select password_hash from links where id = $id",
      {
        $id: link.id,
      },
    )!;
    expect(row.password_hash).toStartWith("$argon2id$");
    expect(row.password_hash).not.toContain("hunter22");
  }, 60_000);

  test("a download limit: counted downloads stop at the limit, for files and zips", async () => {
    const link = await newLink(shared.id, { downloadLimit: 2 });
    expect((await req(`/s/${link.token}/files/${text.id}?download=1`)).status).toBe(200);
    expect((await req(`/s/${link.token}/zip/${shared.id}`)).status).toBe(200);
    expect((await req(`/s/${link.token}/files/${text.id}?download=1`)).status).toBe(403);
    expect((await req(`/s/${link.token}/zip/${shared.id}`)).status).toBe(403);
    expect((await req(`/s/${link.token}/files/${text.id}`)).status).toBe(403);
  });

  test("preview only never sends the original bytes, on any URL under the link", async () => {
    const link = await newLink(shared.id, { previewOnly: true });
    const base = `/s/${link.token}`;
    for (
      const path of [
        `${base}/files/${photo.id}`,
        `${base}/files/${photo.id}?download=1`,
        `${base}/zip/${shared.id}`,
        `${base}/files/${text.id}`,
      ]
    ) {
      const r = await req(path);
      expect(r.status).toBe(403);
      expect(new Uint8Array(await r.arrayBuffer())).not.toEqual(photoBytes);
    }
    const zipped = await req(`${base}/zip`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `ids=${photo.id}`,
    });
    expect(zipped.status).toBe(403);
    const page = await (await req(`${base}/i/${photo.id}`)).text();
    expect(page).toContain(`${base}/render/${photo.id}`);
    expect(page).not.toContain(`${base}/files/`);
    const rendition = await req(`${base}/render/${photo.id}`);
    expect(rendition.status).toBe(200);
    expect(rendition.headers.get("content-type")).toBe("image/webp");
    const bytes = new Uint8Array(await rendition.arrayBuffer());
    expect(bytes).not.toEqual(photoBytes);
    expect((await sharp(bytes).metadata()).format).toBe("webp");
  });

  test(
    "preview only, a video: the visitor watches a 480p rendition as it is made, never the original",
    async () => {
      const src = makeTestVideo(join(dir, "trip.mp4"), 4, "1280x720");
      const original = new Uint8Array(await Bun.file(src).arrayBuffer());
      const films = await s.core.store.createFolder(ROOT_ID, "Films");
      const video =
        (await s.core.store.importFile(films.id, "trip.mp4", src, { mtime: 1, type: "video/mp4" })).item;
      const link = await newLink(films.id, { previewOnly: true });
      const base = `/s/${link.token}`;
      expect((await req(`${base}/files/${video.id}`)).status).toBe(403);
      const page = await (await req(`${base}/i/${video.id}`)).text();
      expect(page).toContain(`${base}/render/${video.id}`);
      const first = await req(`${base}/render/${video.id}`);
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toBe("video/mp4");
      const watched = new Uint8Array(await first.arrayBuffer());
      expect(Buffer.from(watched.subarray(4, 8)).toString()).toBe("ftyp");
      expect(Buffer.compare(watched, original)).not.toBe(0);
      // Once made, it is the same bytes, now whole with ranges.
      const again = await req(`${base}/render/${video.id}`, { headers: { range: "bytes=0-99" } });
      expect(again.status).toBe(206);
      expect(Number(again.headers.get("content-range")?.split("/")[1])).toBe(watched.length);
    },
    120_000,
  );

  test("a folder zip holds the folder's tree; a selection zip holds what was ticked", async () => {
    const link = await newLink(shared.id);
    const zip = await req(`/s/${link.token}/zip/${shared.id}`);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    const names = await zipNames(new Uint8Array(await zip.arrayBuffer()));
    expect(names.sort()).toEqual([
      "Holiday/Day 2/",
      "Holiday/Day 2/more.txt",
      "Holiday/beach.png",
      "Holiday/notes.txt",
    ]);
    const sel = await req(`/s/${link.token}/zip`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `ids=${text.id}&ids=${secret.id}`,
    });
    // (Status and type first: a failure then says what came back instead of a zip.)
    expect([sel.status, sel.headers.get("content-type")]).toEqual([200, "application/zip"]);
    expect(await zipNames(new Uint8Array(await sel.arrayBuffer()))).toEqual(["notes.txt"]);
  });

  test("file drop: a visitor uploads into the folder and sees nothing of it", async () => {
    const drop = await s.core.store.createFolder(ROOT_ID, "Inbox");
    await put(drop.id, "private.txt", new TextEncoder().encode("mine"));
    const link = await newLink(drop.id, { fileDrop: true, label: "Inbox" });
    const page = await (await req(`/s/${link.token}`)).text();
    expect(page).toContain("Send files to");
    expect(page).not.toContain("private.txt");
    expect((await req(`/s/${link.token}/i/${drop.id}`)).status).toBe(200);
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    const data = new TextEncoder().encode("dropped bytes");
    const tus = { "tus-resumable": "1.0.0", "hearth-link": link.token };
    const created = await req("/upload/tus", {
      method: "POST",
      headers: {
        ...tus,
        "upload-length": String(data.length),
        "upload-metadata": `filename ${b64("gift.txt")},parent ${b64(drop.id)}`,
      },
    });
    expect(created.status).toBe(201);
    const patched = await req(new URL(created.headers.get("location")!, ORIGIN).pathname, {
      method: "PATCH",
      headers: { ...tus, "upload-offset": "0", "content-type": "application/offset+octet-stream" },
      body: data,
    });
    expect(patched.status).toBe(204);
    const names = (await s.core.store.items.children(drop.id)).map((i) => i.name).sort();
    expect(names).toEqual(["gift.txt", "private.txt"]);
    // A visitor never replaces what is in the folder (they cannot even see it).
    const replacing = await req("/upload/tus", {
      method: "POST",
      headers: {
        ...tus,
        "upload-length": "1",
        "upload-metadata": `filename ${b64("private.txt")},parent ${b64(drop.id)},onClash ${b64("replace")}`,
      },
    });
    expect(replacing.status).toBe(403);
    // Not into another folder, and not with a read-only link.
    const elsewhere = await req("/upload/tus", {
      method: "POST",
      headers: {
        ...tus,
        "upload-length": "1",
        "upload-metadata": `filename ${b64("x.txt")},parent ${b64(ROOT_ID)}`,
      },
    });
    expect(elsewhere.status).toBe(404);
    const readOnly = await newLink(drop.id);
    const refused = await req("/upload/tus", {
      method: "POST",
      headers: {
        ...tus,
        "hearth-link": readOnly.token,
        "upload-length": "1",
        "upload-metadata": `filename ${b64("x.txt")},parent ${b64(drop.id)}`,
      },
    });
    expect(refused.status).toBe(404);
    await Bun.sleep(0);
    expect((await (await api("GET", `/api/links/${link.id}`)).json()).link.uploads).toBe(1);
  });

  test("the API: list per item, bad input is a 400 with a sentence, delete makes the link 404", async () => {
    const link = await newLink(photo.id, { label: "Pic" });
    const list = (await (await api("GET", `/api/links?item=${photo.id}`)).json()).links;
    expect(list.map((l: { id: string }) => l.id)).toContain(link.id);
    const bad = await api("POST", "/api/links", { itemId: photo.id, downloadLimit: 0 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("downloadLimit");
    const dropOnFile = await api("POST", "/api/links", { itemId: photo.id, fileDrop: true });
    expect(dropOnFile.status).toBe(400);
    expect((await api("POST", "/api/links", { itemId: "nope" })).status).toBe(404);
    // Visitors cannot use the API.
    expect((await req(`/api/links`)).status).not.toBe(200);
    expect((await api("DELETE", `/api/links/${link.id}`)).status).toBe(204);
    expect((await req(`/s/${link.token}`)).status).toBe(404);
  });
});

/** The entry names of a zip (from its central directory, read by python's zipfile). */
function zipNames(bytes: Uint8Array): string[] {
  const path = join(dir, `z-${Math.random()}.zip`);
  writeFileSync(path, bytes);
  const py = Bun.spawnSync([
    "python3",
    "-c",
    "import sys,zipfile,json;print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))",
    path,
  ]);
  if (py.exitCode !== 0) {
    throw new Error(
      `python3 could not read the zip (${bytes.length} bytes): ${py.stderr.toString().slice(-500)}`,
    );
  }
  return JSON.parse(py.stdout.toString());
}

/**
 * Folder uploads and name clashes on a real server (issue #15): a file with its folders lands in
 * them (made as needed), empty folders are made, hostile folder paths are refused with a sentence
 * and never write outside the target (a property over random names), and a taken name is replaced
 * (the old file to the trash) or kept beside — never overwritten silently.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";
import { ItemNameError, ROOT_ID } from "../store/mod.ts";
import { tusClient } from "./_test_tus.ts";
import { folderParts, onClashOf } from "./upload_paths.ts";

const TOKEN = "folder-upload-test-owner-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "hearth-folder-upload-"));
writeFileSync(
  join(dir, "config.json"),
  JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, testOwnerToken: TOKEN }),
);
let s: UserServer;
beforeAll(async () => {
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  s = await startUserServer({ config, log: silentLogger, listen: false });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const { req } = tusClient(() => s.relayedApp, TOKEN);
const b64 = (v: string) => Buffer.from(v).toString("base64");

/** One whole tus upload; answers the final response (201 or 204 with the item's id) or the refusal. */
async function upload(
  name: string,
  text: string,
  meta: Record<string, string> = {},
): Promise<Response> {
  const body = new TextEncoder().encode(text);
  const metadata = Object.entries({ filename: name, parent: ROOT_ID, ...meta })
    .map(([k, v]) => `${k} ${b64(v)}`).join(",");
  const created = await req("/upload/tus", {
    method: "POST",
    headers: { "upload-length": String(body.length), "upload-metadata": metadata },
  });
  if (created.status !== 201) return created;
  return await req(created.headers.get("location")!, {
    method: "PATCH",
    headers: { "upload-offset": "0", "content-type": "application/offset+octet-stream" },
    body,
  });
}

const child = async (parentId: string, name: string) => await s.core.store.items.childByName(parentId, name);
const json = (path: string, body: unknown) =>
  req(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("folder uploads", () => {
  test("a file with its folders lands in them; empty folders are made too", async () => {
    const res = await upload("a.jpg", "A", { relativePath: "Trip/Day 1" });
    expect(res.status).toBe(204);
    const trip = await child(ROOT_ID, "Trip");
    const day = await child(trip!.id, "Day 1");
    expect((await child(day!.id, "a.jpg"))?.size).toBe(1);
    expect((await upload("b.jpg", "B", { relativePath: "Trip/Day 1" })).status).toBe(204);
    expect((await s.core.store.items.children(day!.id)).map((i) => i.name).sort()).toEqual([
      "a.jpg",
      "b.jpg",
    ]);
    const made = await json("/upload/folders", { parent: ROOT_ID, path: "Trip/Day 2/Empty" });
    expect(made.status).toBe(201);
    expect(await child((await child(trip!.id, "Day 2"))!.id, "Empty")).toBeDefined();
  });

  test("hostile folder paths are refused with a sentence and write nothing", async () => {
    const before = (await s.core.store.items.children(ROOT_ID)).length;
    for (
      const bad of ["..", "../x", "Trip/../../etc", "a//b", "/abs", "a/", "a\\b", "x\u0000y", " lead", "CON"]
    ) {
      const res = await upload("evil.txt", "x", { relativePath: bad });
      expect([bad, res.status]).toEqual([bad, 400]);
      expect((await res.text()).length).toBeGreaterThan(5);
      expect((await json("/upload/folders", { parent: ROOT_ID, path: bad })).status).toBe(400);
    }
    expect((await s.core.store.items.children(ROOT_ID)).length).toBe(before);
  });

  test("property: any path either maps to checked names inside the target, or is refused", () => {
    const alphabet = ["a", "b", ".", "..", "/", "\\", "\u0000", " ", "é", "CON", "x".repeat(300), ""];
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(Math.random() * 8);
      const path = Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)])
        .join("");
      try {
        const parts = folderParts(path);
        for (const p of parts) {
          expect(p === "." || p === ".." || p.includes("/") || p.includes("\\") || p === "").toBe(false);
        }
        expect(parts.join("/").normalize("NFC")).toBe(path.normalize("NFC"));
      } catch (e) {
        expect(e).toBeInstanceOf(ItemNameError);
      }
    }
    expect(onClashOf(undefined)).toBe("keep");
    expect(() => onClashOf("overwrite")).toThrow(ItemNameError);
  });
});

describe("name clashes", () => {
  test("the server says which names of a batch are taken", async () => {
    await upload("notes.txt", "first");
    const res = await json("/upload/clashes", {
      parent: ROOT_ID,
      paths: ["notes.txt", "new.txt", "Trip/Day 1/a.jpg", "Trip/Nope/a.jpg", "Trip"],
    });
    expect((await res.json()).clashes).toEqual(["notes.txt", "Trip/Day 1/a.jpg"]);
  });

  test("keep both: the new file gets a number, the old one stays", async () => {
    const res = await upload("notes.txt", "second", { onClash: "keep" });
    expect(res.status).toBe(204);
    expect(decodeURIComponent(res.headers.get("hearth-item-name")!)).toBe("notes (2).txt");
    expect((await child(ROOT_ID, "notes.txt"))?.size).toBe("first".length);
  });

  test("replace: the new file takes the name, the old one is in the trash and restorable", async () => {
    const old = await child(ROOT_ID, "notes.txt");
    const res = await upload("notes.txt", "third!", { onClash: "replace" });
    expect(res.status).toBe(204);
    expect(decodeURIComponent(res.headers.get("hearth-item-name")!)).toBe("notes.txt");
    expect((await child(ROOT_ID, "notes.txt"))?.size).toBe("third!".length);
    const trashed = await s.core.store.items.get(old!.id);
    expect(trashed).toBeDefined();
    expect(trashed!.parentId).not.toBe(ROOT_ID);
    expect((await upload("x.txt", "x", { onClash: "overwrite" })).status).toBe(400);
  });
});

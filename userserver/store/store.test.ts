import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestCore, testCore } from "../_test_core.ts";
import { BlobError, hashFile, ItemConflictError, ItemNameError, ROOT_ID } from "./mod.ts";

let t: TestCore;
beforeEach(async () => void (t = await testCore()));
afterEach(() => t.close());

// Imported files live outside the data directory: the store refuses to read anything inside it.
const srcDir = mkdtempSync(join(tmpdir(), "hearth-src-"));
afterAll(() => rmSync(srcDir, { recursive: true, force: true }));

function sourceFile(name: string, content: string): string {
  const p = join(srcDir, `${name}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(p, content);
  return p;
}

describe("blobs", () => {
  test("content lands under its SHA-256 in hash-named directories, verified, and is stored once", async () => {
    const a = await t.store.blobs.putBytes(new TextEncoder().encode("hello"));
    expect(a.hash).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(t.store.blobs.pathOf(a.hash)).toBe(join(t.dir, "blobs", "2c", "f2", a.hash));
    expect(readFileSync(t.store.blobs.pathOf(a.hash), "utf8")).toBe("hello");
    expect(a.deduped).toBe(false);
    const again = await t.store.blobs.putBytes(new TextEncoder().encode("hello"));
    expect(again).toEqual({ hash: a.hash, size: 5, deduped: true });
    expect(await t.store.blobs.verify(a.hash)).toBe(true);
    expect(readdirSync(t.store.blobs.tmpDir)).toEqual([]);
  });

  test("an aborted write leaves no blob and no temp file", async () => {
    const ac = new AbortController();
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (++n === 3) ac.abort(new Error("cancelled"));
        c.enqueue(new Uint8Array(1024).fill(n));
        if (n > 10) c.close();
      },
    });
    await expect(t.store.blobs.putStream(stream, { signal: ac.signal })).rejects.toThrow("cancelled");
    expect(readdirSync(t.store.blobs.tmpDir)).toEqual([]);
    expect([...t.store.blobs.list()]).toEqual([]);
  });

  test("start-up removes partial temp files a crash left behind", async () => {
    writeFileSync(join(t.store.blobs.tmpDir, "abc.part"), "half a file");
    await t.store.start();
    expect(readdirSync(t.store.blobs.tmpDir)).toEqual([]);
  });
});

describe("adopting a finished file (a tus upload) instead of copying it", () => {
  const sha = (b: string | Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
  /** 9 MiB of varied bytes: more than two of adoptFile's 4 MiB reads. */
  const big = () => Uint8Array.from({ length: 9 * 1024 * 1024 + 123 }, (_, i) => (i * 31 + (i >> 10)) & 255);

  test("the file is renamed into its hash-named path (same inode, 0600), source gone; a second copy dedups", async () => {
    const data = big();
    const src = join(t.dir, "upload-1");
    writeFileSync(src, data);
    const ino = statSync(src).ino;
    const put = await t.store.blobs.adoptFile(src);
    expect(put).toEqual({ hash: sha(data), size: data.length, deduped: false });
    const path = t.store.blobs.pathOf(put.hash);
    expect(statSync(path).ino).toBe(ino); // moved, not copied
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(src)).toBe(false);
    expect(await t.store.blobs.verify(put.hash)).toBe(true);
    expect(readdirSync(t.store.blobs.tmpDir)).toEqual([]);

    const src2 = join(t.dir, "upload-2");
    writeFileSync(src2, data);
    expect(await t.store.blobs.adoptFile(src2)).toEqual({ ...put, deduped: true });
    expect(existsSync(src2)).toBe(false);
    expect(statSync(path).ino).toBe(ino);
    expect([...t.store.blobs.list()]).toEqual([put.hash]);
  });

  test("Store.adoptFile adds the item; an empty file works; a failed add leaves no blob and the source whole", async () => {
    const r = await t.store.adoptFile(ROOT_ID, "a.txt", sourceFile("u", "uploaded"), { mtime: 5 });
    expect(r.outcome).toBe("created");
    expect(r.item.blobHash).toBe(sha("uploaded"));
    expect(readFileSync(t.store.blobs.pathOf(r.item.blobHash!), "utf8")).toBe("uploaded");
    const empty = await t.store.adoptFile(ROOT_ID, "empty", sourceFile("e", ""), { mtime: 5 });
    expect(empty.item.size).toBe(0);
    const folder = await t.store.createFolder(ROOT_ID, "F");
    const clash = sourceFile("c", "clashing content");
    await expect(t.store.adoptFile(ROOT_ID, folder.name, clash, { mtime: 1 })).rejects.toThrow(
      ItemConflictError,
    );
    expect(t.store.blobs.has(sha("clashing content"))).toBe(false);
    expect(readFileSync(clash, "utf8")).toBe("clashing content"); // there to retry
    expect(await t.store.gc()).toBe(0);
    expect(t.store.blobs.has(r.item.blobHash!)).toBe(true);
  });

  test("a failure or abort before the rename leaves the source intact and no blob", async () => {
    const data = big();
    const src = join(t.dir, "upload-f");
    writeFileSync(src, data);
    await expect(t.store.blobs.adoptFile(src, { signal: AbortSignal.abort(new Error("cancelled")) })).rejects
      .toThrow("cancelled");
    for (const step of ["hashed", "synced"] as const) {
      await expect(t.store.blobs.adoptFile(src, {
        onStep: (s) => {
          if (s === step) throw new Error(`failed after ${s}`);
        },
      })).rejects.toThrow(`failed after ${step}`);
    }
    expect(sha(readFileSync(src))).toBe(sha(data));
    expect([...t.store.blobs.list()]).toEqual([]);
    await expect(t.store.blobs.adoptFile(join(t.dir, "nope"))).rejects.toThrow("ENOENT");
    await expect(t.store.blobs.adoptFile(t.dir)).rejects.toThrow();
    expect(BlobError.name).toBe("BlobError");
  });

  for (const step of ["hashed", "synced", "renamed"] as const) {
    test(`a process killed right after "${step}" leaves no partial blob; start-up leaves the tree as it was`, async () => {
      const before = await t.store.importFile(ROOT_ID, "before.txt", sourceFile("b", "before"), { mtime: 1 });
      const data = big();
      const src = join(t.dir, `upload-${step}`);
      writeFileSync(src, data);
      const proc = Bun.spawn(
        [process.execPath, join(import.meta.dir, "_adopt_crash.ts"), t.store.blobs.dir, src, step],
        { stdout: "inherit", stderr: "inherit" },
      );
      await proc.exited;
      expect(proc.signalCode).toBe("SIGKILL");
      // Any blob that is visible is complete: its content has its hash.
      for (const h of t.store.blobs.list()) expect(await t.store.blobs.verify(h)).toBe(true);
      if (step === "renamed") {
        expect(existsSync(src)).toBe(false);
        expect(t.store.blobs.has(sha(data))).toBe(true);
      } else {
        expect(sha(readFileSync(src))).toBe(sha(data)); // the upload is still there to finish
        expect(t.store.blobs.has(sha(data))).toBe(false);
      }
      await t.store.start(); // restart: the orphan blob (no item row) is collected
      expect([...t.store.blobs.list()]).toEqual([before.item.blobHash!]);
      expect((await t.store.items.children(ROOT_ID)).map((i) => i.name)).toEqual(["before.txt"]);
    });
  }
});

describe("the item tree", () => {
  test("files dedup by hash, re-adding the same name is a no-op, deleting releases blobs for gc", async () => {
    const folder = await t.store.createFolder(ROOT_ID, "Photos");
    const src = sourceFile("a", "same bytes");
    const first = await t.store.importFile(folder.id, "a.jpg", src, { mtime: 1 });
    const copy = await t.store.importFile(folder.id, "copy of a.jpg", src, { mtime: 2 });
    expect(first.outcome).toBe("created");
    expect(copy.deduped).toBe(true);
    expect(copy.item.blobHash).toBe(first.item.blobHash);
    const rerun = await t.store.importFile(folder.id, "a.jpg", src, { mtime: 1 });
    expect(rerun.outcome).toBe("unchanged");
    expect((await t.store.items.children(folder.id)).map((i) => i.name)).toEqual(["a.jpg", "copy of a.jpg"]);
    expect(await t.store.items.counts()).toEqual({ items: 3, blobs: 1, bytes: 10 });
    expect(first.item.type).toBe("image/jpeg");

    const hash = first.item.blobHash!;
    await t.store.delete(first.item.id);
    expect(t.store.blobs.has(hash)).toBe(true); // the copy still holds it
    await t.store.delete(folder.id);
    expect(t.store.blobs.has(hash)).toBe(false);
    expect(await t.store.items.counts()).toEqual({ items: 0, blobs: 0, bytes: 0 });
  });

  test("new content under an existing name replaces the old and releases its blob", async () => {
    const one = await t.store.importFile(ROOT_ID, "notes.txt", sourceFile("1", "v1"), { mtime: 1 });
    const two = await t.store.importFile(ROOT_ID, "notes.txt", sourceFile("2", "v2"), { mtime: 2 });
    expect(two.outcome).toBe("replaced");
    expect(two.item.id).toBe(one.item.id);
    await t.store.gc();
    expect(t.store.blobs.has(one.item.blobHash!)).toBe(false);
    expect(t.store.blobs.has(two.item.blobHash!)).toBe(true);
  });

  test("a blob file with no DB row (crash before the commit) is collected; referenced ones are kept", async () => {
    const kept = await t.store.importFile(ROOT_ID, "kept.txt", sourceFile("k", "kept"), { mtime: 1 });
    const orphan = await t.store.blobs.putBytes(new TextEncoder().encode("orphan"));
    expect(t.store.blobs.has(orphan.hash)).toBe(true);
    expect(await t.store.gc()).toBe(1);
    expect(t.store.blobs.has(orphan.hash)).toBe(false);
    expect(await t.store.blobs.verify(kept.item.blobHash!)).toBe(true);
  });

  test("bad names and folder/file clashes are refused; signals announce creations and deletions", async () => {
    const events: string[] = [];
    t.signals.on("item.created", (p) => void events.push(`+${p.name}`));
    t.signals.on("item.deleted", (p) => void events.push(`-${p.name}`));
    await expect(t.store.createFolder(ROOT_ID, "..")).rejects.toThrow(ItemNameError);
    const f = await t.store.createFolder(ROOT_ID, "Docs");
    await expect(t.store.importFile(ROOT_ID, "Docs", sourceFile("d", "x"), { mtime: 1 })).rejects.toThrow(
      ItemConflictError,
    );
    await t.store.importFile(f.id, "x.txt", sourceFile("x", "x"), { mtime: 1 });
    await t.store.delete(f.id);
    await Bun.sleep(0);
    expect(events.sort()).toEqual(["+Docs", "+x.txt", "-Docs", "-x.txt"].sort());
    expect(existsSync(t.store.blobs.tmpDir)).toBe(true);
    expect((await hashFile(sourceFile("h", "hello"))).size).toBe(5);
  });
});

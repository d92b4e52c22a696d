import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestCore, testCore } from "../_test_core.ts";
import { ImportPathError, ROOT_ID } from "../store/mod.ts";
import { Importer } from "./jobs.ts";

let t: TestCore;
let roots: string[];
let pause = 0;
let importer: Importer;
beforeEach(async () => {
  t = await testCore();
  // Outside the data directory: nothing inside it may ever be imported.
  roots = [join(mkdtempSync(join(tmpdir(), "hearth-roots-")), "import-root")];
  const src = join(roots[0], "Holiday");
  mkdirSync(join(src, "day 1"), { recursive: true });
  for (let i = 0; i < 20; i++) writeFileSync(join(src, "day 1", `img-${i}.jpg`), `photo ${i}`);
  writeFileSync(join(src, "copy.jpg"), "photo 3"); // same content as day 1/img-3.jpg
  writeFileSync(join(src, "CON"), "reserved name");
  symlinkSync("/etc/passwd", join(src, "link"));
  importer = new Importer({
    db: t.db,
    store: t.store,
    signals: t.signals,
    log: t.log,
    roots: () => roots,
    pauseMs: () => pause,
  });
  await importer.start();
});
afterEach(async () => {
  await importer.stop();
  t.close();
  rmSync(join(roots[0], ".."), { recursive: true, force: true });
});

describe("imports", () => {
  test("imports every regular file, dedups by hash and reports what it skipped and why", async () => {
    const finished: unknown[] = [];
    t.signals.on("import.finished", (p) => void finished.push(p));
    const job = await importer.begin(join(roots[0], "Holiday"));
    await importer.settled(job.id);
    const done = (await importer.get(job.id))!;
    expect(done.status).toBe("done");
    expect(done.filesDone).toBe(21);
    expect(done.filesDeduped).toBe(1);
    expect(done.bytesDone).toBe(done.bytesTotal);
    expect(JSON.parse(done.skipped)).toEqual([
      { path: "CON", reason: 'Name "CON" is reserved on Windows' },
      { path: "link", reason: "symbolic link (not followed)" },
    ]);
    const [holiday] = await t.store.items.children(ROOT_ID);
    expect(holiday.name).toBe("Holiday");
    const kids = await t.store.items.children(holiday.id);
    expect(kids.map((k) => k.name)).toEqual(["day 1", "copy.jpg"]);
    expect((await t.store.items.children(kids[0].id)).length).toBe(20);
    expect((await t.store.items.counts()).blobs).toBe(20);
    await Bun.sleep(0);
    expect(finished).toHaveLength(1);
  });

  test("a re-run adds nothing twice", async () => {
    const first = await importer.begin(join(roots[0], "Holiday"));
    await importer.settled(first.id);
    const before = await t.store.items.counts();
    const second = await importer.rerun(first.id);
    await importer.settled(second.id);
    const again = (await importer.get(second.id))!;
    expect(again.status).toBe("done");
    expect(again.filesDeduped).toBe(21);
    expect(await t.store.items.counts()).toEqual(before);
  });

  test("a path outside the import roots is refused before anything is read", async () => {
    await expect(importer.begin("/etc")).rejects.toThrow(ImportPathError);
    await expect(importer.begin(join(roots[0], "..", ".."))).rejects.toThrow(/outside the import roots/);
    expect(await importer.list()).toEqual([]);
  });

  test("a full disk fails the import with a sentence instead of skipping every file", async () => {
    // The errno injected where the store writes a file (the fs boundary).
    const put = t.store.blobs.putFile.bind(t.store.blobs);
    let n = 0;
    t.store.blobs.putFile = (src, o) =>
      ++n > 3
        ? Promise.reject(
          Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }),
        )
        : put(src, o);
    const job = await importer.begin(join(roots[0], "Holiday"));
    await importer.settled(job.id);
    t.store.blobs.putFile = put;
    const done = (await importer.get(job.id))!;
    expect(done.status).toBe("failed");
    expect(done.error).toBe("The server's disk is full — free space and run the import again");
    expect(done.filesDone).toBe(3);
  });

  test("an unreadable source file is skipped with its reason; the import goes on", async () => {
    const put = t.store.blobs.putFile.bind(t.store.blobs);
    let n = 0;
    t.store.blobs.putFile = (src, o) =>
      ++n === 2
        ? Promise.reject(Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" }))
        : put(src, o);
    const job = await importer.begin(join(roots[0], "Holiday"));
    await importer.settled(job.id);
    t.store.blobs.putFile = put;
    const done = (await importer.get(job.id))!;
    expect(done.status).toBe("done");
    expect(done.filesDone).toBe(20);
    expect(JSON.parse(done.skipped).filter((s: { reason: string }) => s.reason === "permission denied"))
      .toHaveLength(1);
  });

  test("a Hearth data folder is never imported: refused by path, skipped inside a root, even through a link", async () => {
    // Another process's data directory inside the root (a CA: ca.key), and this server's own, linked.
    const ca = join(roots[0], "Holiday", "ca");
    mkdirSync(ca);
    writeFileSync(join(ca, "ca.key"), "PRIVATE KEY");
    symlinkSync(t.dir, join(roots[0], "own-data"));
    await expect(importer.begin(ca)).rejects.toThrow(/data folder of a Hearth server/);
    await expect(importer.begin(join(roots[0], "own-data"))).rejects.toThrow(ImportPathError);
    const saved = roots;
    roots = [tmpdir()]; // whatever the roots say
    await expect(importer.begin(t.dir)).rejects.toThrow(/data folder of a Hearth server/);
    roots = saved;
    const job = await importer.begin(join(roots[0], "Holiday"));
    await importer.settled(job.id);
    const done = (await importer.get(job.id))!;
    expect(done.status).toBe("done");
    expect(JSON.parse(done.skipped)).toContainEqual({
      path: "ca",
      reason: "a Hearth data folder (keys are never imported)",
    });
    const folder = (await t.store.items.children(ROOT_ID)).find((i) => i.name === "Holiday")!;
    expect((await t.store.items.children(folder.id)).map((i) => i.name)).not.toContain("ca");
    // And the store itself refuses a single file from a data directory.
    await expect(t.store.importExternal(ROOT_ID, "k", join(t.dir, "userserver.db"), { mtime: 1 })).rejects
      .toThrow(
        ImportPathError,
      );
  });

  test("cancel stops the job; what was imported stays whole", async () => {
    pause = 20;
    const job = await importer.begin(join(roots[0], "Holiday"));
    let progressed = false;
    for (let i = 0; i < 200 && !progressed; i++) {
      await Bun.sleep(10);
      progressed = ((await importer.get(job.id))?.filesDone ?? 0) >= 2;
    }
    expect(importer.cancel(job.id)).toBe(true);
    await importer.settled(job.id);
    const j = (await importer.get(job.id))!;
    expect(j.status).toBe("cancelled");
    expect(j.filesDone).toBeLessThan(21);
    for (const h of t.store.blobs.list()) expect(await t.store.blobs.verify(h)).toBe(true);
  });

  test("a job left running by a crash is marked interrupted at the next start", async () => {
    pause = 50;
    const job = await importer.begin(join(roots[0], "Holiday"));
    await importer.stop(); // the server stopping mid-import
    expect((await importer.get(job.id))!.status).toBe("interrupted");
    const next = new Importer({
      db: t.db,
      store: t.store,
      signals: t.signals,
      log: t.log,
      roots: () => roots,
    });
    await next.start();
    expect((await next.get(job.id))!.status).toBe("interrupted");
  });
});

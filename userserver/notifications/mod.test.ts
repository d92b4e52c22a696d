import { afterEach, beforeEach, expect, test } from "bun:test";
import { type TestCore, testCore } from "../_test_core.ts";
import { Notifications } from "./mod.ts";

let t: TestCore;
let n: Notifications;
beforeEach(async () => {
  t = await testCore();
  n = new Notifications(t.db, t.signals);
  n.start();
});
afterEach(() => {
  n.stop();
  t.close();
});

test("an import.finished signal raises a persistent unseen notification and announces the count", async () => {
  const counts: number[] = [];
  t.signals.on("notification.changed", (p) => void counts.push(p.unseen));
  await t.signals.emit("import.finished", {
    id: "j1",
    source: "/home/alice/Pictures",
    status: "done",
    filesDone: 200,
    filesDeduped: 3,
    skipped: 1,
  });
  const [one] = await n.list();
  expect(one.title).toBe("Import finished: 200 files from Pictures");
  expect(one.body).toBe("3 already stored (not stored twice) · 1 skipped");
  expect(one.link).toBe("/add/jobs/j1");
  expect(one.seen).toBe(false);
  await t.signals.emit("error", { module: "store", message: "Disk full" });
  expect(await n.unseenCount()).toBe(2);
  await Bun.sleep(0);
  expect(counts).toEqual([1, 2]);
});

test("mark seen, mark all seen and delete", async () => {
  const a = await n.create({ kind: "test", title: "A" });
  const b = await n.create({ kind: "test", title: "B" });
  await n.create({ kind: "test", title: "C" });
  expect(await n.markSeen(a.id)).toBe(true);
  expect(await n.markSeen("nope")).toBe(false);
  expect(await n.unseenCount()).toBe(2);
  await n.markAllSeen();
  expect(await n.unseenCount()).toBe(0);
  expect(await n.delete(b.id)).toBe(true);
  expect((await n.list()).map((x) => x.title).sort()).toEqual(["A", "C"]);
});

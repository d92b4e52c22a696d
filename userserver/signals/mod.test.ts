import { describe, expect, test } from "bun:test";
import { createLogger } from "../../shared/log/mod.ts";
import { Signals } from "./mod.ts";

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ format: "json", level: "debug", sink: (l) => void lines.push(l) }) };
}

describe("signals", () => {
  test("a throwing subscriber does not stop other subscribers or the publisher", async () => {
    const { lines, log } = capture();
    const s = new Signals(log);
    const got: string[] = [];
    s.on("item.deleted", function first(p) {
      got.push(`first ${p.name}`);
    });
    s.on("item.deleted", function broken() {
      throw new Error("subscriber exploded");
    });
    s.on("item.deleted", async function rejecting() {
      await Promise.resolve();
      throw new Error("async subscriber exploded");
    });
    s.on("item.deleted", (p) => void got.push(`last ${p.name}`));
    const published = s.emit("item.deleted", { id: "1", name: "a.txt" });
    expect(published).toBeInstanceOf(Promise);
    await published; // never rejects
    expect(got).toEqual(["first a.txt", "last a.txt"]);
    const errors = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "signal subscriber failed");
    expect(errors.map((e) => e.subscriber).sort()).toEqual(["broken", "rejecting"]);
    expect(errors.map((e) => e.error)).toContain("subscriber exploded");
    // The bus still works afterwards.
    await s.emit("item.deleted", { id: "2", name: "b.txt" });
    expect(got).toEqual(["first a.txt", "last a.txt", "first b.txt", "last b.txt"]);
  });

  test("unsubscribe stops delivery, and other signals are not delivered", async () => {
    const s = new Signals(capture().log);
    let n = 0;
    const off = s.on("notification.changed", () => void n++);
    s.on("config.changed", () => void (n += 100));
    await s.emit("notification.changed", { unseen: 1 });
    off();
    await s.emit("notification.changed", { unseen: 2 });
    expect(n).toBe(1);
    expect(s.count("notification.changed")).toBe(0);
  });
});

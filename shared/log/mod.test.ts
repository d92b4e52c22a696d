import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "./mod.ts";

const at = () => new Date("2026-01-02T03:04:05.000Z");

test("json lines carry level, message, base and extra fields", () => {
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l), now: at, fields: { proc: "relay-a" } });
  log.child({ tunnel: 7 }).info("tunnel up", { err: new Error("boom") });
  assert.deepEqual(JSON.parse(lines[0]), {
    time: "2026-01-02T03:04:05.000Z",
    level: "info",
    msg: "tunnel up",
    proc: "relay-a",
    tunnel: 7,
    err: "Error: boom",
  });
});

test("pretty lines are short and levels below the threshold are dropped", () => {
  const lines: string[] = [];
  const log = createLogger({ format: "pretty", level: "warn", sink: (l) => lines.push(l), now: at });
  log.info("hidden");
  log.warn("disk low", { free: "1 GB" });
  assert.deepEqual(lines, ['03:04:05 WARN  disk low  free="1 GB"']);
});

/**
 * The allocator setting only helps if every launcher of a relay or a user server passes it: the
 * npm scripts people run, and the service units operators install (the dev stack: the start-up
 * warning stays silent in testing/foundation.test.ts).
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALLOCATOR_ENV, missingAllocatorEnv } from "./runtime_env.ts";

const repo = join(import.meta.dir, "..");
const settings = Object.entries(ALLOCATOR_ENV).map(([k, v]) => `${k}=${v}`);

test("missingAllocatorEnv names what is absent; a value chosen on purpose is respected", () => {
  expect(missingAllocatorEnv({})).toEqual(settings);
  expect(missingAllocatorEnv({ MIMALLOC_PURGE_DELAY: "100" })).toEqual([]);
  expect(missingAllocatorEnv(Object.fromEntries(Object.entries(ALLOCATOR_ENV)))).toEqual([]);
});

test("the relay and userserver npm scripts start Bun with the setting", () => {
  const pkg: { scripts: Record<string, string> } = JSON.parse(
    readFileSync(join(repo, "package.json"), "utf8"),
  );
  const scripts = pkg.scripts;
  for (const name of ["relay", "userserver"]) {
    for (const s of settings) expect(scripts[name].split(" ")).toContain(s);
    expect(scripts[name]).toMatch(/\bbun run /);
  }
});

test("the relay's and the user server's service units set it", () => {
  for (const unit of ["hearth-relay.service", "hearth-userserver.service"]) {
    const text = readFileSync(join(repo, "deploy/systemd", unit), "utf8");
    for (const s of settings) expect(text.split("\n")).toContain(`Environment=${s}`);
  }
});

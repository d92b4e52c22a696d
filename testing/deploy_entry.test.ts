/**
 * The Deno Deploy entry (edge/deploy.ts), checked the way a deployment would take it, without
 * unstable flags: in a mirror of the repository whose deno.json has no "unstable" list, it
 * type-checks and bundles; the bundle then starts with only the permissions Deno Deploy grants
 * (network, environment, reading its own files: no FFI, no native addons, no sys, no writes) and
 * gets as far as its own first sentences: the missing database settings, then the database it
 * cannot reach over HTTP. No sqld runs here, so serving against a real database is not exercised.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoPath, repoRoot } from "../tools/stack/paths.ts";
import { freePort } from "./harness.ts";

const mirror = mkdtempSync(join(tmpdir(), "hearth-deploy-"));
afterAll(() => rmSync(mirror, { recursive: true, force: true }));

for (const entry of ["edge", "shared", "platform", "migrations", "node_modules", "package.json"]) {
  symlinkSync(join(repoRoot, entry), join(mirror, entry));
}
const config = JSON.parse(readFileSync(join(repoRoot, "deno.json"), "utf8"));
delete config.unstable;
writeFileSync(join(mirror, "deno.json"), JSON.stringify(config, null, 2));

async function deno(
  args: string[],
  { cwd = mirror, env = {} }: { cwd?: string; env?: Record<string, string> } = {},
) {
  const proc = Bun.spawn([denoPath, ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    // Only what a deployment sets: no HEARTH_* from the machine running the test.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, out: stdout + stderr };
}

const bundleDir = join(mirror, "out");
/** Deno Deploy's permissions for a deployment's own files, and nothing more. */
const deployPermissions = ["--no-config", "--allow-net", "--allow-env", `--allow-read=${bundleDir}`];

test("edge/deploy.ts type-checks without unstable flags", async () => {
  const { code, out } = await deno(["check", "edge/deploy.ts"]);
  expect(out).not.toContain("error");
  expect(code).toBe(0);
}, 240_000);

test("edge/deploy.ts bundles, and the bundle starts with Deploy's permissions only", async () => {
  mkdirSync(join(bundleDir, "edge"), { recursive: true });
  // The entry reads its migrations beside it, as a deployment of the repository has them.
  symlinkSync(join(repoRoot, "migrations"), join(bundleDir, "migrations"));
  const bundle = await deno([
    "bundle",
    "--platform=deno",
    "-o",
    join(bundleDir, "edge", "deploy.js"),
    "edge/deploy.ts",
  ]);
  expect(bundle.code).toBe(0);

  const bare = await deno(["run", ...deployPermissions, "edge/deploy.js"], { cwd: bundleDir });
  expect(bare.out).not.toContain("NotCapable");
  expect(bare.out).toContain("Set HEARTH_DATABASE_URL and HEARTH_DATABASE_TOKEN");
  expect(bare.code).toBe(1);

  // A database URL nobody answers: the HTTP client is loaded (not the native one) and tries it.
  const unreachable = `http://127.0.0.1:${freePort()}`;
  const configured = await deno(["run", ...deployPermissions, "edge/deploy.js"], {
    cwd: bundleDir,
    env: { HEARTH_DATABASE_URL: unreachable, HEARTH_DATABASE_TOKEN: "token" },
  });
  expect(configured.out).not.toContain("NotCapable");
  expect(configured.out).toContain(`Cannot open database "${unreachable}"`);
  expect(configured.out).toMatch(/Connection refused|ECONNREFUSED|error sending request|tcp connect/i);
  expect(configured.code).toBe(1);
}, 240_000);

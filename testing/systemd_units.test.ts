/**
 * The systemd units in deploy/systemd: `systemd-analyze verify` finds nothing to say about any of
 * them (it needs no running systemd; it does need each ExecStart binary to exist, so the copies
 * checked point at the runtimes `npm install` brought), they carry the hardening the deployment
 * promises, and each ExecStart, with `serve` swapped for `check-config`, accepts the example
 * config in deploy/examples (so the command line and, for Deno, its permissions are right).
 */
import { afterAll, expect, test } from "bun:test";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bunPath, denoPath, repoRoot } from "../tools/stack/paths.ts";

const unitsDir = join(repoRoot, "deploy", "systemd");
const examples = join(repoRoot, "deploy", "examples");
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const tmp = mkdtempSync(join(tmpdir(), "hearth-units-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const units = readdirSync(unitsDir).filter((f) => f.endsWith(".service")).sort();
const userUnits = new Set(["hearth-userserver.service"]);

/** The unit with its runtimes at the paths this checkout has (verify checks that they exist). */
function localCopy(unit: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(join(unitsDir, unit), "utf8")
    .replaceAll("/usr/local/bin/bun", bunPath)
    .replaceAll("/usr/local/bin/deno", denoPath);
  const path = join(dir, unit);
  writeFileSync(path, text);
  return path;
}

async function verify(paths: string[], { user = false } = {}): Promise<string> {
  const runtimeDir = join(tmp, "run");
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const proc = Bun.spawn([SYSTEMD_ANALYZE, "verify", "--man=no", ...(user ? ["--user"] : []), ...paths], {
    stdout: "pipe",
    stderr: "pipe",
    // A user manager's paths start at XDG_RUNTIME_DIR; without one, --user cannot even begin.
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, SYSTEMD_LOG_COLOR: "0" },
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return `${out}${err}${code === 0 ? "" : `exit ${code}`}`.trim();
}

test("the four units are there", () => {
  expect(units).toEqual([
    "hearth-cloud.service",
    "hearth-dns.service",
    "hearth-relay.service",
    "hearth-userserver.service",
  ]);
});

test("systemd-analyze verify speaks up about a bad unit here (so silence below means something)", async () => {
  const dir = join(tmp, "bad");
  const path = localCopy("hearth-relay.service", dir);
  writeFileSync(path, readFileSync(path, "utf8").replace("[Service]", "[Service]\nProtectSytem=strict"));
  expect(await verify([path])).toContain("Unknown key 'ProtectSytem'");
  const missing = join(dir, "hearth-dns.service");
  writeFileSync(missing, readFileSync(join(unitsDir, "hearth-dns.service"), "utf8"));
  expect(await verify([missing])).toContain("is not executable");
});

for (const unit of units) {
  test(`${unit}: systemd-analyze verify prints nothing`, async () => {
    const path = localCopy(unit, join(tmp, "good"));
    expect(await verify([path], { user: userUnits.has(unit) })).toBe("");
  });

  test(`${unit}: restarts on failure, hardened, state in its StateDirectory`, () => {
    const text = readFileSync(join(unitsDir, unit), "utf8");
    const settings = new Map<string, string[]>();
    for (const line of text.split("\n")) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2]]);
    }
    const one = (key: string) => settings.get(key)?.at(-1);
    expect(one("Restart")).toBe("on-failure");
    expect(one("ProtectSystem")).toBe("strict");
    expect(one("NoNewPrivileges")).toBe("yes");
    expect(one("PrivateTmp")).toBe("yes");
    const state = one("StateDirectory")!;
    expect(state).toMatch(/^hearth/);
    expect(one("ExecStart")).toContain(`--data-dir %S/${state}`);
    if (userUnits.has(unit)) return; // runs as the person who owns the data (see the unit)
    expect(one("DynamicUser")).toBe("yes");
    const caps = unit === "hearth-cloud.service" ? "" : "CAP_NET_BIND_SERVICE";
    expect(one("CapabilityBoundingSet")).toBe(caps);
    expect(one("AmbientCapabilities") ?? "").toBe(caps);
  });

  test(`${unit}: its ExecStart runs check-config on the example config`, async () => {
    const text = readFileSync(join(unitsDir, unit), "utf8");
    const name = unit.replace(/^hearth-|\.service$/g, "");
    const stateRoot = join(tmp, "state", name);
    const etc = join(tmp, "etc", name);
    mkdirSync(etc, { recursive: true });
    copyFileSync(join(examples, `${name}.json`), join(etc, `${name}.json`));
    const execStart = /^ExecStart=(.*)$/m.exec(text)![1];
    const argv = execStart.split(" ").map((arg) =>
      arg
        .replace("/usr/local/bin/bun", bunPath)
        .replace("/usr/local/bin/deno", denoPath)
        .replaceAll("/opt/hearth", repoRoot)
        .replaceAll("/etc/hearth", etc)
        .replaceAll("%S", stateRoot)
    ).map((arg) => (arg === "serve" ? "check-config" : arg));
    if (unit === "hearth-userserver.service") {
      // The user server's config lives in its data dir.
      mkdirSync(join(stateRoot, "hearth"), { recursive: true });
      copyFileSync(join(examples, "userserver.json"), join(stateRoot, "hearth", "config.json"));
    } else {
      mkdirSync(stateRoot, { recursive: true });
    }
    const proc = Bun.spawn(argv, {
      cwd: repoRoot,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(err).toBe("");
    expect(out).toContain("is valid");
    expect(code).toBe(0);
  }, 60_000);
}

/**
 * ARCHITECTURE.md §9 invariants that span the whole tree:
 *  6. secrets on disk are 0600 (in 0700 directories), checked on a real stack's data directories;
 *  7. every cookie Hearth sets is a `__Host-` cookie, so no user server can set or read a cookie
 *     another trusts — checked on every `setCookie` call in the code, and on live responses.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { repoRoot } from "../tools/stack/paths.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice"] });
});
afterAll(async () => {
  await h?.stop();
});

const SECRET = /(\.key|^credential|^registration\.json|\.eml)$/;

function walk(dir: string): { path: string; dir: boolean }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => ({
    path: join(e.parentPath, e.name),
    dir: e.isDirectory(),
  }));
}

test("6b. every file in every data directory is 0600 and every directory 0700, the databases included", () => {
  const roots = [h.dirs.cloud, ...Object.values(h.dirs.relays), ...Object.values(h.dirs.users)];
  const wrong: string[] = [];
  const seen: string[] = [];
  for (const root of roots) {
    for (const e of walk(root)) {
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(e.path);
      } catch {
        continue; // a temp file renamed meanwhile
      }
      const mode = st.mode & 0o777;
      seen.push(relative(h.baseDir, e.path));
      // Directories 0700, files 0600; anything else (the relayed listener's socket) no group/other bits.
      const ok = st.isDirectory() ? mode === 0o700 : st.isFile() ? mode === 0o600 : (mode & 0o077) === 0;
      if (!ok) wrong.push(`${relative(h.baseDir, e.path)} ${mode.toString(8)}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(seen).toContain("cloud/cloud.db");
  expect(seen.some((p) => /^cloud\/cloud\.db-(wal|shm)$/.test(p))).toBe(true);
});

test("6. every secret file in every data directory is 0600, every data directory 0700", () => {
  const roots = [
    join(h.baseDir, "ca"),
    h.dirs.cloud,
    ...Object.values(h.dirs.relays),
    ...Object.values(h.dirs.users),
  ];
  const secrets: string[] = [];
  for (const root of roots) {
    expect(statSync(root).mode & 0o777).toBe(0o700);
    for (const e of walk(root)) {
      const name = e.path.split("/").at(-1)!;
      if (!e.dir && SECRET.test(name)) {
        secrets.push(relative(h.baseDir, e.path));
        expect({ file: e.path, mode: (statSync(e.path).mode & 0o777).toString(8) }).toEqual({
          file: e.path,
          mode: "600",
        });
      }
    }
  }
  // The stack has at least: the CA key, the cloud's TLS and issuer keys, the relay's key and
  // credential, alice's TLS key, server key and registration.
  for (
    const want of [
      "ca/ca.key",
      "relay-a/credential",
      "relay-a/tls.key",
      "users/alice/server.key",
      "users/alice/registration.json",
    ]
  ) {
    expect(secrets).toContain(want);
  }
});

test("7. every setCookie in the code sets a __Host- cookie (prefix host, Secure, Path=/)", () => {
  const files = walk(repoRoot)
    .filter((e) =>
      !e.dir && /\.(ts|tsx)$/.test(e.path) &&
      !/node_modules|\.test\.|\/testing\/|\/e2e\/|\/bench\//.test(e.path)
    )
    .map((e) => e.path);
  let calls = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bsetCookie\(/g)) {
      calls++;
      const options = text.slice(m.index, m.index + 600);
      const call = options.slice(0, options.indexOf("});") + 3);
      expect({
        file,
        host: /prefix:\s*"host"/.test(call),
        secure: /secure:\s*true/.test(call),
        path: /path:\s*"\/"/.test(call),
      })
        .toEqual({ file, host: true, secure: true, path: true });
      expect(/domain:/i.test(call)).toBe(false);
    }
  }
  expect(calls).toBeGreaterThanOrEqual(4);
});

test("7. live: the sign-in redirect from alice's server sets only __Host- cookies", async () => {
  const r = h.relay("relay-a");
  // The stack is up when alice's server is; her tunnel to the relay may attach a moment later.
  await h.waitFor("alice's tunnel at relay-a", async () => (await h.tunnelsOf("alice")).includes("relay-a"));
  const res = Bun.spawnSync([
    "curl",
    "-sS",
    "-D",
    "-",
    "-o",
    "/dev/null",
    "--cacert",
    h.caFile,
    "--resolve",
    `alice.hearth.localhost:${r.browserPort}:${r.browserAddresses[0]}`,
    `https://alice.hearth.localhost:${r.browserPort}/auth/login`,
  ]);
  const cookies = res.stdout.toString().split("\r\n").filter((l) => /^set-cookie:/i.test(l));
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) {
    expect(c).toMatch(/^set-cookie: __Host-/i);
    expect(c).toMatch(/; Secure/i);
    expect(c).toMatch(/; Path=\//i);
    expect(c).not.toMatch(/domain=/i);
  }
});

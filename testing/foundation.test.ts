/** The foundation's promises, checked on real processes: health, keys in place, clean config errors. */
import { afterAll, beforeAll, describe, test } from "bun:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Harness, startHarness } from "./harness.ts";
import { bunPath, denoPath, repoRoot } from "../tools/stack/paths.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"] });
});
afterAll(async () => {
  await h?.stop();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe("a started stack", () => {
  test("every process answers /healthz over HTTPS trusted through the dev CA", async () => {
    const urls = [
      `${h.cloudUrl}/healthz`,
      ...h.relaySpecs.map((r) => `https://${r.tunnelAddress}:${r.tunnelPort}/healthz`),
      `https://127.0.0.1:${h.user("alice").localPort}/healthz`,
    ];
    for (const url of urls) {
      const res = await fetch(url, { tls: { ca: h.caPem } });
      assert.equal(res.status, 200, url);
      assert.equal((await res.json() as { ok: boolean }).ok, true, url);
    }
  });

  test("relays and the user server start with the allocator setting (no start-up warning about it)", () => {
    const started = h.output.filter((l) => /listening/.test(l));
    assert.ok(
      started.some((l) => l.startsWith("relay-a:")) && started.some((l) => l.startsWith("user:alice")),
    );
    const warned = h.output.filter((l) => l.includes("allocator setting"));
    assert.deepEqual(warned, []);
  });

  test("the local page names its owner and shows no user data", async () => {
    const res = await fetch(`https://127.0.0.1:${h.user("alice").localPort}/`, { tls: { ca: h.caPem } });
    const html = await res.text();
    assert.match(html, /alice/);
    assert.match(html, /shown only after you sign in/);
  });

  test("keys stay in their own directories: no relay or cloud file holds alice's key", () => {
    const aliceKey = readFileSync(join(h.dirs.users.alice, "tls.key"), "utf8").trim();
    const aliceKeyBody = aliceKey.split("\n").slice(1, -1).join("");
    const elsewhere = [h.dirs.cloud, ...Object.values(h.dirs.relays)].flatMap(filesUnder);
    assert.ok(elsewhere.length > 3, "the other directories have files to check");
    for (const file of elsewhere) {
      const text = readFileSync(file).toString("latin1").replace(/\s/g, "");
      assert.ok(!text.includes(aliceKeyBody), `${file} contains alice's key`);
    }
  });

  test("secrets are 0600 and data directories 0700", () => {
    for (
      const dir of [h.dirs.cloud, ...Object.values(h.dirs.relays), h.dirs.users.alice, join(h.baseDir, "ca")]
    ) {
      assert.equal(statSync(dir).mode & 0o777, 0o700, dir);
      for (const f of filesUnder(dir).filter((f) => /\.key$/.test(f))) {
        assert.equal(statSync(f).mode & 0o777, 0o600, f);
      }
    }
  });
});

describe("bad configuration stops start-up with one sentence", () => {
  async function startWith(cmd: string[], config: unknown): Promise<{ code: number; stderr: string }> {
    const dir = join(h.baseDir, `bad-${Math.random().toString(36).slice(2)}`);
    const file = `${dir}.json`;
    writeFileSync(file, JSON.stringify(config));
    const p = Bun.spawn([...cmd, "--data-dir", dir, "--config", file], {
      cwd: repoRoot,
      stderr: "pipe",
      stdout: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    return { code, stderr };
  }
  const relay = [bunPath, "edge/relay/main.ts"];
  const user = [bunPath, "userserver/main.ts"];
  const cloud = [denoPath, "run", "-A", "edge/main.ts"];

  test("an unknown key", async () => {
    const r = await startWith(relay, { id: "relay-x", tunelPort: 1 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^relay: Unknown config key "tunelPort" in .*\.json\n$/);
  });

  test("a bad URL", async () => {
    const r = await startWith(user, { name: "alice", cloudUrl: "not a url" });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^userserver: Config key "cloudUrl" in .* is invalid: expected an https:\/\/ URL\n$/,
    );
  });

  test("a port in use", async () => {
    const cloudPort = Number(new URL(h.cloudUrl).port);
    const dir = join(h.baseDir, "cloud-copy");
    // A second cloud tier with a certificate of its own, on the port the first one holds.
    const { cpSync } = await import("node:fs");
    cpSync(h.dirs.cloud, dir, { recursive: true });
    const cfgFile = join(dir, "config.json");
    writeFileSync(
      cfgFile,
      JSON.stringify({ listenHost: "127.0.0.1", port: cloudPort, databaseUrl: `file:${join(dir, "x.db")}` }),
    );
    const p = Bun.spawn([...cloud, "--data-dir", dir], { cwd: repoRoot, stderr: "pipe", stdout: "pipe" });
    const [stderr, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    assert.equal(code, 1);
    assert.equal(stderr, `cloud: Cannot listen on 127.0.0.1:${cloudPort}: address in use\n`);
  });
});

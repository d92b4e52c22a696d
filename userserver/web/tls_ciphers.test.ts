/**
 * TLS on the user server's listeners (issue #12, "TLS 1.2 offers CBC suites"): with TLS 1.2 only
 * ECDHE + AEAD suites are accepted, on the local listener and on the relayed Unix socket; TLS 1.3
 * is unchanged. Checked with a real client, `openssl s_client`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { freePort } from "../../testing/harness.ts";
import { startUserServer, type UserServer } from "../boot/mod.ts";
import { CONFIG_VERSION, loadUserServerConfig } from "../config/mod.ts";

const dir = mkdtempSync(join(tmpdir(), "hearth-tls-"));
let s: UserServer;
beforeAll(async () => {
  const made = Bun.spawnSync([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    join(dir, "k.pem"),
    "-out",
    join(dir, "c.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=local.alice.hearth.localhost",
  ]);
  expect(made.exitCode).toBe(0);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ version: CONFIG_VERSION, name: "alice", setupDone: true, localPort: freePort() }),
  );
  const { config } = loadUserServerConfig(dir, join(dir, "config.json"));
  const tls = {
    key: readFileSync(join(dir, "k.pem"), "utf8"),
    cert: readFileSync(join(dir, "c.pem"), "utf8"),
  };
  s = await startUserServer({ config, log: silentLogger, tls });
});
afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The cipher `openssl s_client` agreed on, or undefined when the handshake failed. */
async function handshake(target: string[], args: string[]): Promise<string | undefined> {
  const p = Bun.spawn([
    "openssl",
    "s_client",
    ...target,
    "-servername",
    "local.alice.hearth.localhost",
    ...args,
  ], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = await new Response(p.stdout).text();
  await p.exited;
  const m = /Cipher is (\S+)/.exec(out);
  return m && m[1] !== "(NONE)" ? m[1] : undefined;
}

describe("TLS on both listeners", () => {
  const targets = () => ({
    local: ["-connect", `127.0.0.1:${s.localPort}`],
    relayed: ["-unix", join(dir, "relayed.sock")],
  });
  for (const which of ["local", "relayed"] as const) {
    test(`${which}: TLS 1.2 refuses CBC and non-ECDHE suites, accepts ECDHE + AEAD; TLS 1.3 works`, async () => {
      const t = targets()[which];
      for (
        const cbc of [
          "ECDHE-ECDSA-AES128-SHA",
          "ECDHE-ECDSA-AES256-SHA",
          "ECDHE-ECDSA-AES128-SHA256",
          "ECDHE-ECDSA-AES256-SHA384",
        ]
      ) {
        expect([cbc, await handshake(t, ["-tls1_2", "-cipher", cbc])]).toEqual([cbc, undefined]);
      }
      for (
        const aead of [
          "ECDHE-ECDSA-AES128-GCM-SHA256",
          "ECDHE-ECDSA-AES256-GCM-SHA384",
          "ECDHE-ECDSA-CHACHA20-POLY1305",
        ]
      ) {
        expect(await handshake(t, ["-tls1_2", "-cipher", aead])).toBe(aead);
      }
      expect(await handshake(t, ["-tls1_3"])).toMatch(/^TLS_/);
    });
  }
});

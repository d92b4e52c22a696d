/**
 * Certificates by ACME DNS-01, for real: Debian's pebble resolves through our DNS front, the user
 * server sets and clears its `_acme-challenge` TXT values through DNSCloud's signed API, and the
 * certificate it gets is what a browser receives through the relay. Then: renewal at two thirds
 * of a short lifetime (45 s, pebble's `certificateValidityPeriod`) served without a restart,
 * revocation (pebble's management port says "Revoked") followed by a fresh certificate, and a
 * challenge that fails (a second pebble whose resolver answers nothing) reported in Settings.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AcmeState } from "../platform/acme/keeper.ts";
import { dnsQuery } from "../edge/dns/client.ts";
import { fileMode } from "../platform/files.ts";
import { certificateMatchesKey } from "../shared/pki/mod.ts";
import { type RunningPebble, startPebble } from "../tools/stack/pebble.ts";
import { freePort, type Harness, startHarness, ZONE } from "./harness.ts";
import { restartUserWith, TEST_OWNER_TOKEN } from "./userserver_helpers.ts";

let h: Harness;
let pebble: RunningPebble;
let broken: RunningPebble;

beforeAll(async () => {
  h = await startHarness({ relays: 1, users: ["alice", "bob"], dns: true });
  const pebbleOf = (name: string, dnsServer: string) =>
    startPebble({
      name,
      dir: join(h.baseDir, name),
      port: freePort(),
      managementPort: freePort(),
      dnsServer,
      httpPort: freePort(),
      tlsPort: freePort(),
      validitySeconds: 45,
      onLine: (line, proc) => {
        h.output.push(`${proc}: ${line}`);
        if (process.env.HEARTH_TEST_VERBOSE) console.log(`${proc}: ${line}`);
      },
    });
  pebble = await pebbleOf("pebble", `127.0.0.1:${h.dns!.port}`);
  // Nothing listens on this UDP port: every lookup this pebble makes fails.
  broken = await pebbleOf("pebble-broken", `127.0.0.1:${freePort()}`);
}, 120_000);

afterAll(async () => {
  await pebble?.stop();
  await broken?.stop();
  await h?.stop();
});

/** A process's ACME state, by user name or data directory. */
const stateOf = (user: string): AcmeState =>
  JSON.parse(readFileSync(join(h.dirs.users[user] ?? user, "acme-state.json"), "utf8"));

const acmeConfig = (p: RunningPebble) => ({
  directoryUrl: p.directoryUrl,
  caFile: p.listenerCaFile,
  dnsServers: [`127.0.0.1:${h.dns!.port}`],
  retrySeconds: 2,
});

/**
 * The leaf's serial (hex, upper case) a browser gets for `alice.<zone>` through the relay, or for
 * `local.alice.<zone>` from her local listener.
 */
async function servedSerial(where: "relay" | "local" = "relay"): Promise<string> {
  const r = h.relaySpecs[0]!;
  const target = where === "relay"
    ? `${r.browserAddresses[0]}:${r.browserPort} -servername alice.${ZONE}`
    : `127.0.0.1:${h.user("alice").localPort} -servername local.alice.${ZONE}`;
  const proc = Bun.spawn([
    "sh",
    "-c",
    `openssl s_client -connect ${target} </dev/null 2>/dev/null | openssl x509 -noout -serial`,
  ], { stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return out.trim().replace(/^serial=/, "").toUpperCase();
}

/** GET `path` on alice's server through the relay, trusting only pebble's root of this run. */
async function curlThroughRelay(path: string, caFile: string): Promise<{ code: string; body: string }> {
  const r = h.relaySpecs[0]!;
  const proc = Bun.spawn([
    "curl",
    "-sS",
    "--max-time",
    "30",
    "--cacert",
    caFile,
    "--resolve",
    `alice.${ZONE}:${r.browserPort}:${r.browserAddresses[0]}`,
    "-H",
    `cookie: __Host-hearth-test-owner=${TEST_OWNER_TOKEN}`,
    "-w",
    "\n%{http_code}",
    `https://alice.${ZONE}:${r.browserPort}${path}`,
  ], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  const at = out.lastIndexOf("\n");
  return { code: out.slice(at + 1), body: out.slice(0, at) + err };
}

/** A serial as pebble's management port keys it: the integer's bytes in hex, without DER's sign byte. */
const pebbleSerial = (s: string) => s.toLowerCase().replace(/^(00)+/, "");

const normalSerial = (s: string | undefined) => (s ?? "").replace(/^0+/, "").toUpperCase();

test(
  "alice gets, renews and revokes her certificate by DNS-01; the key never leaves her directory",
  async () => {
    const dir = h.dirs.users.alice!;
    const keyBefore = readFileSync(join(dir, "tls.key"), "utf8");
    await restartUserWith(h, "alice", { testOwnerToken: TEST_OWNER_TOKEN, acme: acmeConfig(pebble) });

    // Issue: the state names the certificate, and a browser gets it through the relay.
    const first = await h.waitFor("alice's first ACME certificate", () => stateOf("alice").serial, 90_000);
    const rootFile = join(h.baseDir, "pebble-root.pem");
    await Bun.write(rootFile, await pebble.rootPem());
    await h.waitFor(
      "the relay to serve the ACME certificate",
      async () => normalSerial(await servedSerial()) === normalSerial(first),
      30_000,
    );
    const page = await curlThroughRelay("/settings", rootFile);
    expect(page.code).toBe("200");
    expect(page.body).toContain("Certificate");
    expect(page.body).toContain('data-acme-status="ok"');
    expect(page.body).toContain(pebble.directoryUrl);
    // The key is the one made at registration, still 0600, and matches the certificate.
    expect(readFileSync(join(dir, "tls.key"), "utf8")).toBe(keyBefore);
    expect(fileMode(join(dir, "tls.key"))).toBe(0o600);
    expect(await certificateMatchesKey(readFileSync(join(dir, "tls.crt"), "utf8"), keyBefore)).toBe(true);
    const s1 = stateOf("alice");
    expect(s1.renewAt! - s1.notBefore!).toBeCloseTo((s1.notAfter! - s1.notBefore!) * 2 / 3, -3);
    // The challenge values were cleared from DNSCloud afterwards: the DNS front answers none.
    for (const name of [`_acme-challenge.alice.${ZONE}`, `_acme-challenge.local.alice.${ZONE}`]) {
      await h.waitFor(`no TXT left at ${name}`, async () => {
        const answer = await dnsQuery(name, "TXT", { host: "127.0.0.1", port: h.dns!.port });
        return (answer.answers ?? []).length === 0;
      });
    }

    // Renew: at two thirds of 45 s, served on the same listeners without a restart.
    const second = await h.waitFor(
      "the renewal at two thirds of the lifetime",
      () => stateOf("alice").serial !== first ? stateOf("alice").serial : undefined,
      90_000,
    );
    expect(stateOf("alice").lastRenewalAt!).toBeGreaterThanOrEqual(s1.renewAt! - 1_000);
    await h.waitFor(
      "the renewed certificate through the relay",
      async () => normalSerial(await servedSerial()) === normalSerial(second),
      30_000,
    );
    // The local listener too (a second listener took over its port).
    await h.waitFor(
      "the renewed certificate on the local listener",
      async () => normalSerial(await servedSerial("local")) === normalSerial(second),
      30_000,
    );
    expect(await pebble.certStatus(pebbleSerial(second!))).toBe("Valid");

    // Revoke (Settings' button): pebble marks it revoked and a new certificate replaces it.
    const origin = `https://alice.${ZONE}:${h.relaySpecs[0]!.browserPort}`;
    const current = stateOf("alice").serial!;
    const revoked = await fetch(`https://alice.${ZONE}/settings/certificate/revoke`, {
      method: "POST",
      unix: join(dir, "relayed.sock"),
      tls: { ca: await pebble.rootPem(), serverName: `alice.${ZONE}` },
      headers: { cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}`, origin },
      redirect: "manual",
    });
    expect(revoked.status).toBe(303);
    expect(await pebble.certStatus(pebbleSerial(current))).toBe("Revoked");
    await h.waitFor("a new certificate after the revocation", () => {
      const s = stateOf("alice");
      return s.serial !== current && !s.revokedAt && !s.busy;
    }, 90_000);
  },
  300_000,
);

test("a challenge the CA cannot check is reported in Settings, and retried", async () => {
  await restartUserWith(h, "bob", { testOwnerToken: TEST_OWNER_TOKEN, acme: acmeConfig(broken) });
  const failed = await h.waitFor("bob's failed order", () => stateOf("bob").lastError, 90_000);
  if (process.env.HEARTH_TEST_VERBOSE) console.log("bob's last error:", failed);
  expect(failed).toContain("dns-01 challenge for");
  expect(failed).toContain(`bob.${ZONE}`);
  expect(stateOf("bob").serial).toBeUndefined();
  // Retried with backoff: the failure count grows, the next attempt is in the future.
  await h.waitFor("a second attempt", () => stateOf("bob").failures >= 2, 90_000);
  const bob = h.user("bob");
  const page = await fetch(`https://bob.${ZONE}/settings`, {
    unix: join(h.dirs.users.bob!, "relayed.sock"),
    tls: { ca: h.caPem, serverName: `bob.${ZONE}` },
    headers: { cookie: `__Host-hearth-test-owner=${TEST_OWNER_TOKEN}` },
  });
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(html).toContain('data-acme-status="error"');
  expect(html).toContain("the last order failed");
  expect(html).toContain(`dns-01 challenge for`);
  expect(bob.localPort).toBeGreaterThan(0);
}, 200_000);

/** Restarts process `name` (data dir `dir`) with an HTTP-01 `acme` block pointing at pebble. */
async function restartWithHttp01(name: string, dir: string): Promise<void> {
  await h.processes.get(name)?.stop();
  const file = join(dir, "config.json");
  const cfg = JSON.parse(readFileSync(file, "utf8"));
  // pebble dials `httpPort` at the address our DNS front gives for the process's names.
  const acme = {
    directoryUrl: pebble.directoryUrl,
    caFile: pebble.listenerCaFile,
    httpPort: pebble.httpPort,
    retrySeconds: 2,
  };
  writeFileSync(file, JSON.stringify({ ...cfg, acme }));
  await h.start(name); // healthy on its set-up certificate first; the ACME one replaces it
}

/** `/healthz` of `name:port` reached at `address`, trusting pebble's root alone (curl). */
async function healthzByName(name: string, port: string | number, address: string): Promise<string> {
  const rootFile = join(h.baseDir, "pebble-root.pem");
  await Bun.write(rootFile, await pebble.rootPem());
  const curl = Bun.spawn(
    [
      "curl",
      "-sS",
      "--cacert",
      rootFile,
      "--resolve",
      `${name}:${port}:${address}`,
      `https://${name}:${port}/healthz`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const body = await new Response(curl.stdout).text();
  await curl.exited;
  return body;
}

/** The serial of the certificate served at `address:port` for the TLS name `name`. */
async function servedAt(address: string, port: string | number, name: string): Promise<string> {
  const proc = Bun.spawn([
    "sh",
    "-c",
    `openssl s_client -connect ${address}:${port} -servername ${name} </dev/null 2>/dev/null | openssl x509 -noout -serial`,
  ], { stdout: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return normalSerial(out.trim().replace(/^serial=/, ""));
}

test("a relay gets its tunnel port's certificate by HTTP-01 and serves it without a restart", async () => {
  const r = h.relaySpecs[0]!;
  const dir = h.dirs.relays[r.id]!;
  await restartWithHttp01(r.id, dir);
  const serial = await h.waitFor("the relay's ACME certificate", () => stateOf(dir).serial, 90_000);
  await h.waitFor(
    "the tunnel port to serve it",
    async () => (await servedAt(r.tunnelAddress, r.tunnelPort, `${r.id}.${ZONE}`)) === normalSerial(serial),
    30_000,
  );
  // Its /healthz over that certificate, trusted through pebble's root alone.
  const body = await healthzByName(`${r.id}.${ZONE}`, r.tunnelPort, r.tunnelAddress);
  expect(JSON.parse(body).service).toBe("relay");
  expect(fileMode(join(dir, "tls.key"))).toBe(0o600);
}, 200_000);

// Last: once the cloud tier serves a pebble certificate, the dev-CA-trusting processes no longer reach it.
test("the cloud tier gets reg. and id.<zone> by HTTP-01 and serves them without a restart", async () => {
  const dir = h.dirs.cloud;
  await restartWithHttp01("cloud", dir);
  const serial = await h.waitFor("the cloud's ACME certificate", () => stateOf(dir).serial, 90_000);
  const port = new URL(h.cloudUrl).port;
  await h.waitFor(
    "the cloud tier to serve it",
    async () => (await servedAt("127.0.0.1", port, `reg.${ZONE}`)) === normalSerial(serial),
    30_000,
  );
  // IdCloud by its own name, trusted through pebble's root alone; the process never restarted.
  const body = await healthzByName(`id.${ZONE}`, port, "127.0.0.1");
  expect(JSON.parse(body).service).toBe("cloud");
  // Swapped in the running process (its listener replaced), not by a restart.
  expect(
    h.output.some((l) => l.startsWith("cloud: ") && l.includes("cloud tier serves its renewed certificate")),
  )
    .toBe(true);
  expect(fileMode(join(dir, "tls.key"))).toBe(0o600);
}, 200_000);

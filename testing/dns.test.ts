/**
 * DNSCloud end to end: the cloud tier, 2 relays, alice's server and the DNS front as real
 * processes; real clients (`dig`, `kdig` over UDP and TCP, `kdig +https` and curl over DoH).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type Harness, startHarness, ZONE } from "./harness.ts";
import { ensureServerKey, loadRegistration } from "../platform/secrets.ts";
import { signServerRequest } from "../shared/auth/server_request.ts";
import { generateKeyPair, publicJwk } from "../shared/pki/mod.ts";
import { runToCompletion } from "../tools/stack/process.ts";
import { denoPath, repoRoot } from "../tools/stack/paths.ts";

let h: Harness;
let cloudPort: number;

beforeAll(async () => {
  h = await startHarness({ relays: 2, users: ["alice"], dns: true });
  cloudPort = Number(new URL(h.cloudUrl).port);
  await h.waitFor("alice's two tunnels", async () => (await h.tunnelsOf("alice")).length === 2, 60_000);
});
afterAll(async () => await h?.stop());

async function run(cmd: string[]): Promise<string> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${err || out}`);
  return out;
}

const front = () => ["@" + h.dns!.host, "-p", String(h.dns!.port)];
type Client = { name: string; cmd: (name: string, type: string, extra?: string[]) => string[] };
const clients: Client[] = [
  { name: "dig udp", cmd: (n, t, x = []) => ["dig", ...front(), n, t, "+tries=1", "+time=2", ...x] },
  { name: "dig tcp", cmd: (n, t, x = []) => ["dig", ...front(), n, t, "+tcp", "+tries=1", "+time=2", ...x] },
  { name: "kdig udp", cmd: (n, t, x = []) => ["kdig", ...front(), n, t, "+retry=0", "+time=2", ...x] },
  {
    name: "kdig tcp",
    cmd: (n, t, x = []) => ["kdig", ...front(), n, t, "+tcp", "+retry=0", "+time=2", ...x],
  },
  {
    name: "kdig doh",
    cmd: (n, t, x = []) => [
      "kdig",
      "@127.0.0.1",
      "-p",
      String(cloudPort),
      "+https",
      `+tls-ca=${h.caFile}`,
      `+tls-hostname=reg.${ZONE}`,
      n,
      t,
      "+retry=0",
      "+time=3",
      ...x,
    ],
  },
];

/** Answers of one type as a sorted list (`+short` output of dig and kdig). */
async function answers(c: Client, name: string, type: string): Promise<string[]> {
  const out = await run(c.cmd(name, type, ["+short"]));
  return out.split("\n").map((l) => l.trim()).filter(Boolean).sort();
}

async function status(c: Client, name: string, type: string): Promise<string> {
  const out = await run(c.cmd(name, type));
  return /status: ([A-Z]+)/.exec(out)?.[1] ?? `no status in: ${out}`;
}

/** The DoH answer through curl posting application/dns-message. */
async function curlDoh(name: string): Promise<Uint8Array> {
  const dnsPacket = await import("@dnsquery/dns-packet");
  const q = dnsPacket.encode({ type: "query", id: 0, questions: [{ name, type: "A" }] });
  const tmp = join(h.baseDir, "q.bin");
  await Bun.write(tmp, q);
  const p = Bun.spawn([
    "curl",
    "-sS",
    "--fail",
    "--cacert",
    h.caFile,
    "-H",
    "content-type: application/dns-message",
    "--data-binary",
    `@${tmp}`,
    `${h.cloudUrl}/dns-query`,
  ], { stdout: "pipe" });
  const body = new Uint8Array(await new Response(p.stdout).arrayBuffer());
  expect(await p.exited).toBe(0);
  return body;
}

const relayIps = async () => {
  const tunnels = await h.tunnelsOf("alice");
  return tunnels.flatMap((id) => h.relay(id).browserAddresses).sort();
};

test("dig and kdig over UDP, TCP and DoH give the same answers; alice → relays holding her tunnel", async () => {
  const expected = await relayIps();
  expect(expected.length).toBe(2);
  // The front may lag the tunnels by one snapshot: a bounded poll, then all clients must agree.
  await h.waitFor(
    "alice's answers to match her tunnels",
    async () => JSON.stringify(await answers(clients[0], `alice.${ZONE}`, "A")) === JSON.stringify(expected),
  );
  for (const c of clients) {
    expect({ client: c.name, a: await answers(c, `alice.${ZONE}`, "A") }).toEqual({
      client: c.name,
      a: expected,
    });
    expect(await answers(c, `local.alice.${ZONE}`, "A")).toEqual(["127.0.0.1"]);
    expect(await answers(c, `local.alice.${ZONE}`, "AAAA")).toEqual(["::1"]);
    expect(await answers(c, `reg.${ZONE}`, "A")).toEqual(["127.0.0.1"]);
    expect(await answers(c, `relay-a.${ZONE}`, "A")).toEqual([h.relay("relay-a").tunnelAddress]);
    expect(await answers(c, ZONE, "NS")).toEqual([`ns1.${ZONE}.`]);
    expect(await answers(c, `ns1.${ZONE}`, "A")).toEqual(["127.0.0.1"]);
    expect(await status(c, `nobody.${ZONE}`, "A")).toBe("NXDOMAIN");
    expect(await status(c, "example.com", "A")).toBe("REFUSED");
  }
  const dnsPacket = await import("@dnsquery/dns-packet");
  const viaCurl = dnsPacket.decode(await curlDoh(`alice.${ZONE}`));
  expect((viaCurl.answers ?? []).map((a) => a.data as string).sort()).toEqual(expected);
});

test("a dead relay leaves alice's answers within a bounded poll, and returns when it is back", async () => {
  const victim = "relay-b";
  const ip = h.relay(victim).browserAddresses[0];
  expect(await answers(clients[0], `alice.${ZONE}`, "A")).toContain(ip);
  const started = performance.now();
  h.processes.get(victim)!.proc.kill("SIGKILL"); // a crash: no goodbye, only missed heartbeats
  await h.waitFor(`${victim} to leave alice's answers`, async () => {
    const a = await answers(clients[0], `alice.${ZONE}`, "A");
    return a.length > 0 && !a.includes(ip);
  }, 60_000);
  const gone = performance.now() - started;
  console.log(`dns: killed ${victim} left alice's answers after ${(gone / 1000).toFixed(1)} s`);
  // Whatever is answered holds her tunnel.
  const left = await answers(clients[0], `alice.${ZONE}`, "A");
  const holding = await relayIps();
  expect(left.every((a) => holding.includes(a))).toBe(true);

  const back = performance.now();
  await h.start(victim);
  await h.waitFor(
    `${victim} to return to alice's answers`,
    async () => (await answers(clients[0], `alice.${ZONE}`, "A")).includes(ip),
    90_000,
  );
  console.log(
    `dns: restarted ${victim} was back in alice's answers after ${
      ((performance.now() - back) / 1000).toFixed(1)
    } s`,
  );
}, 180_000);

async function signedAcme(
  dataDir: string | { keys: CryptoKeyPair; serverId: string },
  method: "POST" | "DELETE",
  body: unknown,
) {
  const who = typeof dataDir === "string"
    ? { keys: (await ensureServerKey(dataDir)).keys, serverId: loadRegistration(dataDir)!.serverId }
    : dataDir;
  const path = "/reg/v1/dns/acme-challenge";
  const text = JSON.stringify(body);
  const authorization = await signServerRequest(who.keys.privateKey, who.serverId, {
    method,
    path,
    body: text,
  });
  return await fetch(`${h.cloudUrl}${path}`, {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: text,
    tls: { ca: h.caPem },
  });
}

test("ACME TXT set through RegCloud appears in DNS, disappears when cleared; another server gets 403", async () => {
  const alice = h.dirs.users.alice;
  const name = `_acme-challenge.alice.${ZONE}`;
  const values = Array.from({ length: 8 }, (_, i) => `${i}-${"k".repeat(41)}`);
  for (const value of values) expect((await signedAcme(alice, "POST", { name, value })).status).toBe(200);
  const quoted = values.map((v) => `"${v}"`).sort();
  await h.waitFor(
    "the TXT values in DNS",
    async () => JSON.stringify(await answers(clients[0], name, "TXT")) === JSON.stringify(quoted),
  );
  for (const c of clients) expect(await answers(c, name, "TXT")).toEqual(quoted);
  // 8 values do not fit 512 bytes: without EDNS, UDP says TC and dig retries over TCP by itself.
  const truncated = await run(["dig", ...front(), name, "TXT", "+noedns", "+ignore", "+tries=1"]);
  expect(truncated).toMatch(/flags: qr aa tc/);
  expect((await run(["dig", ...front(), name, "TXT", "+noedns", "+short"])).trim().split("\n").length).toBe(
    8,
  );

  // Bob, another registered server, cannot touch alice's challenge.
  const keys = await generateKeyPair();
  const reg = JSON.parse(
    await runToCompletion([
      denoPath,
      "run",
      "-A",
      join(repoRoot, "edge/main.ts"),
      "add-server",
      "--name=bob",
      `--public-jwk=${JSON.stringify(await publicJwk(keys.publicKey))}`,
      "--data-dir",
      h.dirs.cloud,
    ], repoRoot),
  );
  const bob = { keys, serverId: reg.serverId as string };
  expect((await signedAcme(bob, "POST", { name, value: "evil" })).status).toBe(403);
  expect((await signedAcme(bob, "DELETE", { name })).status).toBe(403);
  expect((await signedAcme(bob, "POST", { name: `_acme-challenge.bob.${ZONE}`, value: "ok" })).status).toBe(
    200,
  );

  expect((await signedAcme(alice, "DELETE", { name })).status).toBe(200);
  await h.waitFor(
    "the TXT values to leave DNS",
    async () => (await status(clients[0], name, "TXT")) === "NXDOMAIN",
  );
  for (const c of clients) expect(await answers(c, name, "TXT")).toEqual([]);
});

/**
 * DNSCloud benchmark, one run, same machine, same query file:
 *   1. dnsperf against our UDP front (`edge/dns/server.ts`) and against PowerDNS (bind backend)
 *      serving an equivalent zone: QPS, latency, and the ratio ours / PowerDNS.
 *   2. DoH requests/s on the cloud tier (`GET /dns-query`) with wrk.
 *   3. Time for a killed relay to leave alice's answers (polled every 50 ms over UDP).
 *
 *   bun bench/dns/bench.ts [--seconds=10] [--clients=4]
 * Needs dnsperf, pdns_server (+ pdns-backend-bind) and wrk (../shared/PEERS.md).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as dnsPacket from "@dnsquery/dns-packet";
import { freePort, startHarness, ZONE } from "../../testing/harness.ts";
import { dnsQuery } from "../../edge/dns/client.ts";

const { values: flags } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, clients: { type: "string", default: "4" } },
});
const seconds = Number(flags.seconds);
const clients = Number(flags.clients);
const dir = mkdtempSync(join(tmpdir(), "hearth-bench-dns-"));
const children: { name: string; proc: ReturnType<typeof Bun.spawn> }[] = [];
let h: Awaited<ReturnType<typeof startHarness>> | undefined;

async function cleanup() {
  for (const c of children) {
    if (c.proc.exitCode === null) c.proc.kill("SIGTERM");
    await c.proc.exited;
  }
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.on("SIGINT", async () => {
  await cleanup();
  process.exit(130);
});

async function run(cmd: string[]): Promise<string> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd[0]} exited ${code}: ${err || out}`);
  return out + err;
}

interface PerfResult {
  qps: number;
  avgMs: number;
  stdMs: number;
  lost: string;
}

async function dnsperf(port: number, queries: string): Promise<PerfResult> {
  const out = await run([
    "dnsperf",
    "-s",
    "127.0.0.1",
    "-p",
    String(port),
    "-d",
    queries,
    "-l",
    String(seconds),
    "-c",
    String(clients),
    "-q",
    "200",
  ]);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    stdMs: num(/Latency StdDev \(s\):\s+([\d.]+)/) * 1000,
    lost: /Queries lost:\s+(.*)/.exec(out)?.[1]?.trim() ?? "?",
  };
}

async function main() {
  console.log(`DNS benchmark: ${seconds} s per dnsperf run, ${clients} clients; starting the stack…`);
  h = await startHarness({ relays: 2, users: ["alice"], dns: true, verbose: false });
  const ours = h.dns!.port;
  await h.waitFor("alice's tunnels", async () => (await h!.tunnelsOf("alice")).length === 2, 60_000);
  const ips = (await h.tunnelsOf("alice")).flatMap((id) => h!.relay(id).browserAddresses);
  await h.waitFor(
    "alice in DNS",
    async () =>
      ((await dnsQuery(`alice.${ZONE}`, "A", { host: "127.0.0.1", port: ours })).answers ?? []).length === 2,
  );

  // PowerDNS with the bind backend, serving the same names.
  const pdnsPort = freePort();
  const zoneFile = join(dir, "hearth.zone");
  writeFileSync(
    zoneFile,
    [
      `$ORIGIN ${ZONE}.`,
      `@ 3600 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 604800 10`,
      `@ 3600 IN NS ns1.${ZONE}.`,
      `ns1 3600 IN A 127.0.0.1`,
      `reg 300 IN A 127.0.0.1`,
      `id 300 IN A 127.0.0.1`,
      ...h.relaySpecs.map((r) => `${r.id} 60 IN A ${r.tunnelAddress}`),
      ...ips.map((ip) => `alice 30 IN A ${ip}`),
      `local.alice 300 IN A 127.0.0.1`,
      `local.alice 300 IN AAAA ::1`,
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "named.conf"), `zone "${ZONE}" { type master; file "${zoneFile}"; };\n`);
  writeFileSync(
    join(dir, "pdns.conf"),
    [
      "launch=bind",
      `bind-config=${join(dir, "named.conf")}`,
      "local-address=127.0.0.1",
      `local-port=${pdnsPort}`,
      `socket-dir=${dir}`,
      "daemon=no",
      "guardian=no",
      "setuid=",
      "setgid=",
      "",
    ].join("\n"),
  );
  const pdns = Bun.spawn(["pdns_server", `--config-dir=${dir}`], { stdout: "ignore", stderr: "ignore" });
  children.push({ name: "pdns", proc: pdns });
  await h.waitFor(
    "PowerDNS to answer",
    async () =>
      ((await dnsQuery(`alice.${ZONE}`, "A", { host: "127.0.0.1", port: pdnsPort })).answers ?? []).length ===
        2,
  );

  const queries = join(dir, "queries.txt");
  writeFileSync(
    queries,
    [
      `alice.${ZONE} A`,
      `alice.${ZONE} A`,
      `alice.${ZONE} A`,
      `local.alice.${ZONE} A`,
      `reg.${ZONE} A`,
      `relay-a.${ZONE} A`,
      `nobody.${ZONE} A`,
      `${ZONE} SOA`,
      "",
    ].join("\n"),
  );

  const pdnsResult = await dnsperf(pdnsPort, queries);
  const ourResult = await dnsperf(ours, queries);
  const row = (name: string, r: PerfResult) =>
    `  ${name.padEnd(22)} ${r.qps.toFixed(0).padStart(9)} q/s   avg ${r.avgMs.toFixed(3)} ms   stddev ${
      r.stdMs.toFixed(3)
    } ms   lost ${r.lost}`;
  console.log("\nUDP, dnsperf (same query file, same run):");
  console.log(row("PowerDNS (bind)", pdnsResult));
  console.log(row("Hearth DNS front (Bun)", ourResult));
  console.log(`  ratio Hearth / PowerDNS: ${(ourResult.qps / pdnsResult.qps).toFixed(2)}× QPS`);

  // DoH on the cloud tier (Deno): wrk over HTTPS, GET with a fixed query.
  const q = dnsPacket.encode({ type: "query", id: 0, questions: [{ name: `alice.${ZONE}`, type: "A" }] });
  const b64 = btoa(String.fromCharCode(...q)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const wrk = await run([
    "wrk",
    "-t2",
    "-c32",
    `-d${seconds}s`,
    "--latency",
    `${h.cloudUrl}/dns-query?dns=${b64}`,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk)?.[1] ?? NaN);
  const p50 = /50%\s+(\S+)/.exec(wrk)?.[1] ?? "?";
  const p99 = /99%\s+(\S+)/.exec(wrk)?.[1] ?? "?";
  console.log(
    `\nDoH GET /dns-query (wrk, 2 threads, 32 connections): ${
      rps.toFixed(0)
    } requests/s, p50 ${p50}, p99 ${p99}`,
  );

  // A relay that dies: how long until alice's answers leave it.
  const victim = h.relaySpecs[1];
  const victimIp = victim.browserAddresses[0];
  const started = performance.now();
  h.processes.get(victim.id)!.proc.kill("SIGKILL");
  await h.waitFor(`${victim.id} to leave alice's answers`, async () => {
    const p = await dnsQuery(`alice.${ZONE}`, "A", { host: "127.0.0.1", port: ours, timeoutMs: 500 });
    const a = (p.answers ?? []).map((x) => x.data);
    return a.length > 0 && !a.includes(victimIp);
  }, 60_000);
  console.log(
    `\nDead relay (SIGKILL) left alice's answers after ${
      ((performance.now() - started) / 1000).toFixed(2)
    } s ` +
      `(liveness window 6 s + sweep ≤ 1 s + snapshot ≤ 1 s + front poll ≤ 1 s; resolvers add up to the 30 s TTL)`,
  );
}

try {
  await main();
} catch (err) {
  console.error(`dns bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}

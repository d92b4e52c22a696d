/**
 * Scale, as a simulation on one machine (stated as such in every figure it prints): the cloud
 * tier, 4 relays and the DNS front as real processes (testing/harness.ts), 1,000 simulated user
 * servers (bench/scale/_fleet.ts: the real connector per server, 2 tunnels each, one shared page
 * behind them) and 10,000 simulated browser streams (bench/scale/_browsers.ts: DNS through our
 * front, TLS through the relays to the simulated servers, a request per stream every few seconds).
 * Once everything is up, a relay chosen at random is SIGKILLed every 20 s for 3 minutes and
 * started again 10 s after its kill. Reports:
 *   tunnels     time from a server losing a tunnel to holding 2 again (p50/p99/max)
 *   DNS         per kill, time until no sampled name that answered the killed relay still does
 *   browsers    request error rate during the kills and in the calm after, with the reasons
 *   relays      CPU (cores) and RSS per relay; the fleet's and the browsers' own CPU for scale
 *   cloud tier  requests/s at the busiest second and latency p50/p99 by route (its access log)
 *
 *   node_modules/.bin/bun bench/scale/scale.ts
 *   BENCH_SERVERS=200 BENCH_STREAMS=2000 BENCH_CHAOS_S=60 node_modules/.bin/bun bench/scale/scale.ts
 *
 * What is simulated: many servers share one process, one TLS listener and one certificate
 * (`*.<zone>`); browsers share one process; all sources are loopback addresses, so the relays'
 * per-source limits are raised for this stack (`relayExtra`) — they would otherwise refuse one
 * address opening 2,000 tunnels, which is those limits working. Each relay still has its own
 * address and port, as relays on their own machines would; all of them share 2 cores here.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { startHarness, ZONE } from "../../testing/harness.ts";
import { openDatabase } from "../../platform/db.ts";
import * as cloudSchema from "../../shared/db/cloud/schema.ts";
import { addServer } from "../../edge/reg/admin.ts";
import { createLogger } from "../../shared/log/mod.ts";
import {
  createCertificateRequest,
  exportPrivateKeyPem,
  signCertificateRequest,
} from "../../shared/pki/mod.ts";
import { dnsQuery } from "../../edge/dns/client.ts";
import { writePublicFile, writeSecretFile } from "../../platform/files.ts";
import { rng } from "../_rng.ts";
import {
  cpuSeconds,
  fmt,
  onCleanup,
  percentile,
  repoRoot,
  rssKiB,
  runBench,
  spawnChild,
  table,
} from "../relay/_lib.ts";

const SERVERS = Number(process.env.BENCH_SERVERS ?? 1000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 10_000);
const RELAYS = 4;
const CHAOS_MS = Number(process.env.BENCH_CHAOS_S ?? 180) * 1000;
const KILL_EVERY_MS = 20_000;
const RESTART_AFTER_MS = 10_000;
const CALM_MS = 30_000;
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 5_000);
const DNS_SAMPLE = 60;
const FLEETS = 4;
const random = rng(2026);

interface Second {
  at: number;
  ok: number;
  failed: number;
  open: number;
  p50: number | null;
  p99: number | null;
  why: Record<string, number>;
}

async function main() {
  const started = performance.now();
  const since = () => `${fmt((performance.now() - started) / 1000, 0)} s`;
  // The cloud tier logs each request (edge/access_log.ts): its rate and latency come from there.
  process.env.HEARTH_ACCESS_LOG = "1";
  const h = await startHarness({
    relays: RELAYS,
    users: [],
    dns: true,
    relayExtra: () => ({
      connectionsPerSecondPerIp: 1_000_000,
      maxConnectionsPerSource: 1_000_000,
      maxTunnelPortConnectionsPerSource: 1_000_000,
      maxStreamShareFromOneSource: 1,
    }),
  });
  onCleanup(() => h.stop());
  console.log(`scale: stack up (cloud, ${RELAYS} relays, DNS front) in ${since()}`);

  // ---------------------------------------------------------------- simulated servers
  const db = await openDatabase(`file:${join(h.dirs.cloud, "cloud.db")}`, {
    schema: cloudSchema,
    migrationsFolder: join(repoRoot, "migrations/cloud"),
  });
  const deps = { db, log: createLogger({ level: "error" }), zone: ZONE, now: Date.now };
  const names = Array.from({ length: SERVERS }, (_, i) => `sim-${String(i).padStart(4, "0")}`);
  const sims: Array<{ serverId: string; name: string; totpSecret: string; privateJwk: JsonWebKey }> = [];
  for (const name of names) {
    const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", keys.publicKey);
    const reg = await addServer(deps, name, { kty, crv, x, y });
    sims.push({ ...reg, privateJwk: await crypto.subtle.exportKey("jwk", keys.privateKey) });
  }
  db.close();
  // Several fleet processes: each stream holds two descriptors in its fleet (the tunnel's side and
  // the listener's), and one process would reach the 20,000-descriptor limit at 10,000 streams.
  const fleetFiles = Array.from({ length: FLEETS }, (_, k) => {
    const file = join(h.baseDir, `sims-${k}.json`);
    writeSecretFile(file, JSON.stringify(sims.filter((_, i) => i % FLEETS === k)));
    return file;
  });
  // One certificate for every simulated server's name, signed by the dev CA as the stack's are.
  const ca = {
    keyPem: readFileSync(join(h.baseDir, "ca", "ca.key"), "utf8"),
    certPem: h.caPem,
  };
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const csr = await createCertificateRequest(keys, { commonName: `*.${ZONE}`, dnsNames: [`*.${ZONE}`] });
  writePublicFile(join(h.baseDir, "sims.crt"), await signCertificateRequest(csr, ca));
  writeSecretFile(join(h.baseDir, "sims.key"), await exportPrivateKeyPem(keys.privateKey));
  console.log(`scale: ${SERVERS} simulated servers registered (${since()})`);

  const fleetStart = performance.now();
  const fleets = fleetFiles.map((file, k) =>
    spawnChild(`fleet-${k}`, [
      process.execPath,
      join(repoRoot, "bench/scale/_fleet.ts"),
      file,
      join(h.baseDir, "sims.crt"),
      join(h.baseDir, "sims.key"),
      h.caFile,
      h.cloudUrl,
      join(h.baseDir, `fleet-${k}.sock`),
      String(Math.min(60_000, SERVERS * 30)),
    ])
  );
  const lost: { name: string; relay: string; at: number }[] = [];
  const recovered: { name: string; ms: number; at: number }[] = [];
  type FleetState = {
    up: number;
    full: number;
    perRelay: Record<string, number>;
    warnings: number;
    reasons: Record<string, number>;
  };
  const states: FleetState[] = fleets.map(() => ({ up: 0, full: 0, perRelay: {}, warnings: 0, reasons: {} }));
  /** The fleets' last states, summed. */
  const fleetState = {
    get full() {
      return states.reduce((s, x) => s + x.full, 0);
    },
    get warnings() {
      return states.reduce((s, x) => s + x.warnings, 0);
    },
    get perRelay() {
      return sumOf(states.map((x) => x.perRelay));
    },
    get reasons() {
      return sumOf(states.map((x) => x.reasons));
    },
  };
  fleets.forEach((fleet, k) =>
    fleet.onLine((line) => {
      if (!line.startsWith("{")) return;
      const m = JSON.parse(line);
      if ("lost" in m) lost.push({ name: m.lost, relay: m.relay, at: performance.now() });
      else if ("recovered" in m) recovered.push({ name: m.recovered, ms: m.ms, at: performance.now() });
      else if ("full" in m) states[k] = m;
    })
  );
  let lastPrint = 0;
  while (fleetState.full < SERVERS) {
    const exited = fleets.find((f) => f.proc.exitCode !== null);
    if (exited) throw new Error(`${exited.name} exited:\n${exited.output()}`);
    if (performance.now() - fleetStart > 600_000) {
      throw new Error(`only ${fleetState.full} of ${SERVERS} servers reached 2 tunnels in 10 minutes`);
    }
    if (performance.now() - lastPrint > 10_000) {
      lastPrint = performance.now();
      console.log(
        `scale: servers with 2 tunnels ${fleetState.full}/${SERVERS} ${JSON.stringify(fleetState.perRelay)}`,
      );
    }
    await Bun.sleep(500);
  }
  const attachSeconds = (performance.now() - fleetStart) / 1000;
  console.log(
    `scale: all ${SERVERS} servers hold 2 tunnels after ${fmt(attachSeconds, 1)} s ${
      JSON.stringify(fleetState.perRelay)
    }`,
  );

  // ---------------------------------------------------------------- simulated browsers
  const dns = h.dns!;
  const ports = Object.fromEntries(h.relaySpecs.map((r) => [r.browserAddresses[0], r.browserPort]));
  const rampMs = Math.min(60_000, STREAMS * 5);
  const browsers = spawnChild("browsers", [
    process.execPath,
    join(repoRoot, "bench/scale/_browsers.ts"),
    JSON.stringify({
      names: names.map((n) => `${n}.${ZONE}`),
      dns: { host: dns.host, port: dns.port },
      ports,
      caFile: h.caFile,
      streams: STREAMS,
      intervalMs: INTERVAL_MS,
      rampMs,
    }),
  ]);
  const seconds: Second[] = [];
  browsers.onLine((line) => {
    if (line.startsWith("{")) seconds.push({ ...JSON.parse(line), at: performance.now() });
    else console.error(`browsers: ${line}`);
  });

  // ---------------------------------------------------------------- sampling: CPU and RSS
  const watched = () => [
    ...h.relaySpecs.map((r) => [r.id, h.processes.get(r.id)?.pid] as const),
    ["cloud", h.processes.get("cloud")?.pid] as const,
    ["dns", h.processes.get("dns")?.pid] as const,
    ...fleets.map((f) => [f.name, f.pid] as const),
    ["browsers", browsers.pid] as const,
  ];
  const cpu = new Map<string, { pid: number; last: number; total: number; since: number }>();
  const rssPeak = new Map<string, number>();
  const sample = () => {
    for (const [name, pid] of watched()) {
      if (!pid) continue;
      let now: number;
      try {
        now = cpuSeconds(pid);
        rssPeak.set(name, Math.max(rssPeak.get(name) ?? 0, rssKiB(pid)));
      } catch {
        continue; // killed a moment ago
      }
      const c = cpu.get(name);
      if (!c) cpu.set(name, { pid, last: now, total: 0, since: performance.now() });
      else if (c.pid !== pid) Object.assign(c, { pid, total: c.total + now, last: now });
      else Object.assign(c, { total: c.total + (now - c.last), last: now });
    }
  };
  const sampler = setInterval(sample, 1000);
  onCleanup(() => clearInterval(sampler));

  await Bun.sleep(rampMs + 10_000);
  const steady = seconds.slice(-10);
  console.log(
    `scale: ${STREAMS} browser streams ramped over ${rampMs / 1000} s; last 10 s: ${
      steady.reduce((s, x) => s + x.ok, 0) / 10
    } req/s, ${steady.reduce((s, x) => s + x.failed, 0)} failed, ${
      steady.at(-1)?.open ?? 0
    } connections open`,
  );

  // ---------------------------------------------------------------- chaos
  const chaosStart = performance.now();
  const kills: { relay: string; dnsMs: number; affected: number; restartMs: number }[] = [];
  const ipOf = (id: string) => h.relay(id).browserAddresses[0];
  const answers = async (name: string) =>
    ((await dnsQuery(`${name}.${ZONE}`, "A", { host: dns.host, port: dns.port, timeoutMs: 3000 })).answers ??
      [])
      .map((a) => String(a.data));
  while (performance.now() - chaosStart < CHAOS_MS) {
    const victim = h.relaySpecs[Math.floor(random() * RELAYS)].id;
    const ip = ipOf(victim);
    // Names whose answer holds the victim now: DNS has converged when none of them does.
    const sampleNames = Array.from({ length: DNS_SAMPLE }, () => names[Math.floor(random() * SERVERS)]);
    const before = await Promise.all(
      sampleNames.map(async (n) => ((await answers(n)).includes(ip) ? n : "")),
    );
    const affected = before.filter(Boolean);
    const killAt = performance.now();
    console.log(`scale: ${since()} SIGKILL ${victim} (${fleetState.perRelay[victim] ?? 0} tunnels)`);
    await h.processes.get(victim)!.kill();
    let dnsMs = NaN;
    const restartAt = killAt + RESTART_AFTER_MS;
    while (performance.now() < restartAt) {
      if (Number.isNaN(dnsMs)) {
        const still = await Promise.all(
          affected.map(async (n) => (await answers(n).catch(() => [ip])).includes(ip)),
        );
        if (!still.some(Boolean)) dnsMs = performance.now() - killAt;
      }
      await Bun.sleep(200);
    }
    // Converging may take longer than the restart delay: keep looking from before the restart.
    while (Number.isNaN(dnsMs) && performance.now() - killAt < KILL_EVERY_MS) {
      const still = await Promise.all(
        affected.map(async (n) => (await answers(n).catch(() => [ip])).includes(ip)),
      );
      if (!still.some(Boolean)) dnsMs = performance.now() - killAt;
      else await Bun.sleep(200);
    }
    const t = performance.now();
    await h.start(victim);
    kills.push({ relay: victim, dnsMs, affected: affected.length, restartMs: performance.now() - t });
    const next = killAt + KILL_EVERY_MS;
    await Bun.sleep(Math.max(0, next - performance.now()));
  }
  const chaosEnd = performance.now();
  console.log(`scale: ${since()} kills over; ${CALM_MS / 1000} s of calm`);
  await Bun.sleep(CALM_MS);
  sample();
  const end = performance.now();

  // ---------------------------------------------------------------- figures
  console.log(
    `\nscale: a simulation on one 2-core machine: ${SERVERS} servers, ${STREAMS} browser streams, ` +
      `${RELAYS} relays, a relay SIGKILLed every ${KILL_EVERY_MS / 1000} s for ${CHAOS_MS / 1000} s ` +
      `(restarted ${RESTART_AFTER_MS / 1000} s later)\n`,
  );
  const rec = recovered.filter((r) => r.at >= chaosStart).map((r) => r.ms);
  const stillLow = lost.filter((l) => l.at >= chaosStart).length - rec.length;
  console.log(table([
    ["tunnels", "losses", "recovered", "p50 ms", "p99 ms", "max ms", "not back at the end"],
    [
      "back to 2 per server",
      lost.filter((l) => l.at >= chaosStart).length,
      rec.length,
      fmt(percentile(rec, 50), 0),
      fmt(percentile(rec, 99), 0),
      fmt(Math.max(...rec), 0),
      Math.max(0, stillLow),
    ],
  ]));
  console.log();
  console.log(table([
    ["kill", "relay", "sampled names on it", "DNS converged ms", "restart to healthy ms"],
    ...kills.map((k, i) => [i + 1, k.relay, k.affected, fmt(k.dnsMs, 0), fmt(k.restartMs, 0)]),
  ]));
  const dnsMs = kills.map((k) => k.dnsMs).filter(Number.isFinite);
  console.log(
    `DNS convergence: p50 ${fmt(percentile(dnsMs, 50), 0)} ms, max ${fmt(Math.max(...dnsMs), 0)} ms`,
  );
  console.log();
  const window = (a: number, b: number) => seconds.filter((s) => s.at > a && s.at <= b);
  const sum = (xs: Second[]) => {
    const ok = xs.reduce((s, x) => s + x.ok, 0);
    const failed = xs.reduce((s, x) => s + x.failed, 0);
    const why = new Map<string, number>();
    for (const x of xs) for (const [k, v] of Object.entries(x.why)) why.set(k, (why.get(k) ?? 0) + v);
    const p99 = xs.map((x) => x.p99 ?? 0);
    const p50 = xs.map((x) => x.p50 ?? 0);
    return { ok, failed, why, p50: percentile(p50, 50), p99: percentile(p99, 50), seconds: xs.length };
  };
  const during = sum(window(chaosStart, chaosEnd));
  const after = sum(window(chaosEnd + 5_000, end));
  console.log(table([
    ["browsers", "requests", "req/s", "failed", "error rate", "median of p50/s ms", "median of p99/s ms"],
    ...[["during kills", during], ["calm after", after]].map(([label, s]) => {
      const x = s as ReturnType<typeof sum>;
      return [
        label as string,
        x.ok + x.failed,
        fmt((x.ok + x.failed) / Math.max(1, x.seconds), 0),
        x.failed,
        `${fmt((100 * x.failed) / Math.max(1, x.ok + x.failed), 3)} %`,
        fmt(x.p50, 1),
        fmt(x.p99, 1),
      ];
    }),
  ]));
  for (const [k, v] of during.why) console.log(`  failed during kills: ${v} × ${k}`);
  for (const [k, v] of after.why) console.log(`  failed after: ${v} × ${k}`);
  console.log();
  const wall = (end - (cpu.get("cloud")?.since ?? end)) / 1000;
  console.log(table([
    ["process", "CPU (cores, mean)", "peak RSS MiB"],
    ...[...cpu].map(([name, c]) => [name, fmt(c.total / wall, 2), fmt((rssPeak.get(name) ?? 0) / 1024, 0)]),
  ]));
  console.log(`(over ${fmt(wall, 0)} s; relay CPU sums across its restarts)`);
  console.log();
  cloudFigures(h.output, chaosStart - (performance.now() - Date.now()));
  console.log(`\nconnectors' warnings: ${fleetState.warnings} in all; the most frequent:`);
  for (const [why, n] of Object.entries(fleetState.reasons)) console.log(`  ${n} × ${why}`);
  console.log(`scale: wall ${since()}`);
}

function sumOf(maps: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]).slice(0, 10));
}

/** Requests per second at the busiest second, and latency by route, from the cloud's access log. */
function cloudFigures(output: string[], fromEpochMs: number) {
  const rows: { t: number; path: string; ms: number; status: number }[] = [];
  for (const line of output) {
    if (!line.startsWith("cloud: {") || !line.includes('"msg":"request"')) continue;
    const m = JSON.parse(line.slice("cloud: ".length));
    rows.push({ t: Date.parse(m.time), path: m.path, ms: m.ms, status: m.status });
  }
  const perSecond = new Map<number, number>();
  for (const r of rows) {
    perSecond.set(Math.floor(r.t / 1000), (perSecond.get(Math.floor(r.t / 1000)) ?? 0) + 1);
  }
  const busiest = [...perSecond].sort((a, b) => b[1] - a[1])[0];
  const byRoute = new Map<string, number[]>();
  for (const r of rows) {
    const route = r.path.replace(/srv_[A-Za-z0-9_-]+/g, ":id");
    byRoute.set(route, [...(byRoute.get(route) ?? []), r.ms]);
  }
  const chaos = rows.filter((r) => r.t >= fromEpochMs);
  console.log(
    `cloud tier: ${rows.length} requests; busiest second ${busiest?.[1] ?? 0} req/s; ` +
      `during the kills and after ${
        fmt(chaos.length / Math.max(1, (Date.now() - fromEpochMs) / 1000), 1)
      } req/s; ` +
      `p50 ${fmt(percentile(rows.map((r) => r.ms), 50), 1)} ms, p99 ${
        fmt(percentile(rows.map((r) => r.ms), 99), 1)
      } ms; ` +
      `errors (5xx) ${rows.filter((r) => r.status >= 500).length}`,
  );
  console.log(table([
    ["route", "requests", "p50 ms", "p99 ms", "max ms"],
    ...[...byRoute].sort((a, b) => b[1].length - a[1].length).map(([route, ms]) => [
      route,
      ms.length,
      fmt(percentile(ms, 50), 1),
      fmt(percentile(ms, 99), 1),
      fmt(Math.max(...ms), 1),
    ]),
  ]));
}

await runBench("scale", 30 * 60_000, main);

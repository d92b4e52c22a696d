/**
 * Bulk download through the relay vs peers, measured in the same run:
 *   direct   curl → Bun HTTPS origin (alice's certificate, its own process)
 *   nginx    curl → nginx stream proxy → origin
 *   ssh -R   curl → sshd → ssh channel → ssh client → origin
 *   relay    curl → relay browser port → yamux in alice's tunnel → user server (TLS ends there)
 * Each leg downloads `/_bytes/<n>` (1 GiB by default) RUNS times, legs interleaved; the median
 * speed is reported with ratios. CPU seconds per GB of every process on each path come from
 * /proc/<pid>/stat (curl's from its rusage). Then a second stack is started with
 * `BUN_OPTIONS=--cpu-prof` (every Bun process of that stack) for one relay download, and the
 * relay's and the user server's profiles are summarized.
 *
 *   node_modules/.bin/bun bench/relay/bulk.ts
 *   BENCH_BYTES=268435456 BENCH_RUNS=1 node_modules/.bin/bun bench/relay/bulk.ts   # quick
 *   BENCH_PROFILE=0 …                                                               # no profile
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type Harness, startHarness, ZONE } from "../../testing/harness.ts";
import {
  cpuSeconds,
  curlDownload,
  fmt,
  median,
  onCleanup,
  ratio,
  repoRoot,
  runBench,
  startNginx,
  startOrigin,
  startSshTunnel,
  table,
  tempDir,
  treeCpuSeconds,
} from "./_lib.ts";
import { summarizeProfile } from "./_profile.ts";

const BYTES = Number(process.env.BENCH_BYTES ?? 1024 ** 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROFILE = process.env.BENCH_PROFILE !== "0";
const HOST = `alice.${ZONE}`;

interface Leg {
  name: string;
  ip: string;
  port: number;
  /** Processes on the path: name → CPU seconds now. */
  cpu: Record<string, () => number>;
}
interface Run {
  speed: number;
  seconds: number;
  cpuPerGB: Record<string, number>;
}

async function startStack(): Promise<Harness> {
  const h = await startHarness({ relays: 1, users: ["alice"], enableByteStream: true });
  onCleanup(() => h.stop());
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  return h;
}

async function measure(leg: Leg, caFile: string): Promise<Run> {
  const before = Object.fromEntries(Object.entries(leg.cpu).map(([k, f]) => [k, f()]));
  const d = await curlDownload({ caFile, host: HOST, ip: leg.ip, port: leg.port, path: `/_bytes/${BYTES}` });
  if (d.bytes !== BYTES) throw new Error(`${leg.name}: got ${d.bytes} bytes, expected ${BYTES}`);
  const gb = d.bytes / 1e9;
  const cpuPerGB: Record<string, number> = {};
  for (const [k, f] of Object.entries(leg.cpu)) cpuPerGB[k] = (f() - before[k]) / gb;
  cpuPerGB.curl = d.curlCpu / gb;
  return { speed: d.speed, seconds: d.seconds, cpuPerGB };
}

async function main() {
  const t0 = performance.now();
  console.log(
    `bulk: ${BYTES} bytes per download, ${RUNS} runs per leg, ${navigator.hardwareConcurrency} CPUs`,
  );
  const h = await startStack();
  const userDir = h.dirs.users.alice;
  const origin = await startOrigin(userDir);
  const nginx = await startNginx(origin.port);
  const ssh = await startSshTunnel(origin.port);
  const relay = h.relay("relay-a");
  const relayPid = h.processes.get("relay-a")!.pid;
  const userPid = h.processes.get("user:alice")!.pid;
  console.log(`stack up in ${fmt((performance.now() - t0) / 1000)} s`);

  const legs: Leg[] = [
    { name: "direct", ip: "127.0.0.1", port: origin.port, cpu: { origin: () => cpuSeconds(origin.pid) } },
    {
      name: "nginx",
      ip: "127.0.0.1",
      port: nginx.port,
      cpu: { nginx: () => treeCpuSeconds(nginx.pid), origin: () => cpuSeconds(origin.pid) },
    },
    {
      name: "ssh -R",
      ip: "127.0.0.1",
      port: ssh.port,
      cpu: {
        sshd: () => treeCpuSeconds(ssh.sshd.pid),
        "ssh client": () => cpuSeconds(ssh.ssh.pid),
        origin: () => cpuSeconds(origin.pid),
      },
    },
    {
      name: "relay",
      ip: relay.browserAddresses[0],
      port: relay.browserPort,
      cpu: { relay: () => cpuSeconds(relayPid), "user server": () => cpuSeconds(userPid) },
    },
  ];

  // Warm-up: one 64 MiB download per leg (JIT, TLS session set-up, window growth).
  for (const leg of legs) {
    await curlDownload({
      caFile: h.caFile,
      host: HOST,
      ip: leg.ip,
      port: leg.port,
      path: `/_bytes/${64 << 20}`,
    });
  }
  const runs = new Map<string, Run[]>(legs.map((l) => [l.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const leg of legs) {
      const r = await measure(leg, h.caFile);
      runs.get(leg.name)!.push(r);
      console.log(
        `  run ${i + 1} ${leg.name.padEnd(7)} ${fmt(r.speed / 1e6)} MB/s  ${fmt(r.seconds, 2)} s  cpu s/GB: ${
          Object.entries(r.cpuPerGB).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(", ")
        }`,
      );
    }
  }

  const med = (name: string) => median(runs.get(name)!.map((r) => r.speed)) / 1e6;
  const [direct, ng, sshR, rel] = ["direct", "nginx", "ssh -R", "relay"].map(med);
  console.log(`\nMedian of ${RUNS} × ${BYTES / 1024 ** 2} MiB (MB = 10^6 bytes):`);
  console.log(table([
    ["leg", "MB/s", "vs direct"],
    ["direct", fmt(direct), "1.00×"],
    ["nginx", fmt(ng), ratio(ng, direct)],
    ["ssh -R", fmt(sshR), ratio(sshR, direct)],
    ["relay", fmt(rel), ratio(rel, direct)],
  ]));
  console.log(`relay/ssh    ${ratio(rel, sshR)}   (goal ≥ 1.0×)  ${rel >= sshR ? "met" : "NOT met"}`);
  console.log(
    `relay/direct ${ratio(rel, direct)}   (goal ≥ 0.6×)  ${rel >= 0.6 * direct ? "met" : "NOT met"}`,
  );
  console.log(`nginx/direct ${ratio(ng, direct)}`);

  console.log(`\nCPU seconds per GB moved (median over runs; 2 cores = 2 CPU-s per wall-s):`);
  const rows: (string | number)[][] = [["leg", "process", "CPU s/GB", "share"]];
  for (const leg of legs) {
    const rs = runs.get(leg.name)!;
    const names = Object.keys(rs[0].cpuPerGB);
    const per = names.map((n) => [n, median(rs.map((r) => r.cpuPerGB[n]))] as const);
    const total = per.reduce((s, [, v]) => s + v, 0);
    const wallPerGB = median(rs.map((r) => r.seconds)) / (BYTES / 1e9);
    for (const [n, v] of per) rows.push([leg.name, n, fmt(v, 2), `${fmt((100 * v) / total, 0)}%`]);
    rows.push([
      leg.name,
      "= total",
      fmt(total, 2),
      `wall ${fmt(wallPerGB, 2)} s/GB → ${fmt(total / wallPerGB, 2)} cores busy`,
    ]);
  }
  console.log(table(rows));

  // Stop the first stack and the peers before profiling, so they do not compete for the CPUs.
  await h.stop();
  await Promise.all([origin.child.stop(), nginx.child.stop(), ssh.ssh.stop(), ssh.sshd.stop()]);
  if (PROFILE) await profileRelayLeg();
  console.log(`\nbulk done in ${fmt((performance.now() - t0) / 1000)} s`);
}

/** One relay download with every Bun process of a fresh stack under `--cpu-prof`. */
async function profileRelayLeg() {
  const dir = tempDir("bench-prof-");
  const saved = process.env.BUN_OPTIONS;
  process.env.BUN_OPTIONS = `--cpu-prof --cpu-prof-dir=${dir}`;
  let h: Harness;
  try {
    h = await startStack();
  } finally {
    if (saved === undefined) delete process.env.BUN_OPTIONS;
    else process.env.BUN_OPTIONS = saved;
  }
  const relay = h.relay("relay-a");
  const relayPid = h.processes.get("relay-a")!.pid;
  const userPid = h.processes.get("user:alice")!.pid;
  const cpu0 = [cpuSeconds(relayPid), cpuSeconds(userPid)];
  const fromMs = Date.now();
  const d = await curlDownload({
    caFile: h.caFile,
    host: HOST,
    ip: relay.browserAddresses[0],
    port: relay.browserPort,
    path: `/_bytes/${BYTES}`,
  });
  const toMs = Date.now();
  const cpu = [cpuSeconds(relayPid) - cpu0[0], cpuSeconds(userPid) - cpu0[1]];
  console.log(
    `\nProfiled relay download (--cpu-prof on relay and user server): ${fmt(d.speed / 1e6)} MB/s ` +
      `(profiling slows it). Samples cover JS and natives called from JS; the rest of each ` +
      `process's CPU is event-loop work outside JS (socket reads, TLS decryption before 'data').`,
  );
  await h.stop(); // SIGTERM → process.exit → profiles written
  const files = readdirSync(dir);
  for (const [i, [who, pid]] of ([["relay", relayPid], ["user server", userPid]] as const).entries()) {
    const file = files.find((f) => f.includes(`.${pid}.`));
    if (!file) {
      console.log(`  no profile for ${who} (pid ${pid}) in ${files.join(", ")}`);
      continue;
    }
    const s = summarizeProfile(join(dir, file), repoRoot, { fromMs, toMs });
    console.log(
      `\n  ${who}: ${fmt(cpu[i], 2)} CPU s during the download (/proc), of which ${
        fmt(s.sampledMs / 1000, 2)
      } s ` +
        `sampled in JS/natives (${
          fmt((100 * s.sampledMs) / 1000 / cpu[i], 0)
        }%). By file of the nearest JS frame:`,
    );
    console.log(
      indent(
        table(s.files.slice(0, 6).map((f) => [f.file, `${fmt(f.ms, 0)} ms`, `${fmt(100 * f.share, 1)}%`])),
      ),
    );
    console.log(`  top functions (self time; native ← JS caller):`);
    console.log(
      indent(
        table(
          s.functions.slice(0, 10).map((f) => [f.name, `${fmt(f.ms, 0)} ms`, `${fmt(100 * f.share, 1)}%`]),
        ),
      ),
    );
  }
}

const indent = (s: string) => s.split("\n").map((l) => `    ${l}`).join("\n");

await runBench("bulk", 20 * 60_000, main);

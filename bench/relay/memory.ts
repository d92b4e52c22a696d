/**
 * Relay memory per idle tunnel: the relay's RSS (/proc/<pid>/status VmRSS) before and after a
 * separate opener process attaches N tunnels (default 5,000), one for each of N servers registered
 * for the bench (a relay keeps one tunnel per server, PROTOCOL.md §8) — each a real attach:
 * signed relay request to RegCloud for a one-time nonce, TLS to the tunnel port, hello verified
 * by RegCloud, then an idle yamux session. All come from 127.0.0.1, so this stack raises the
 * relay's per-address cap on tunnel-port connections (`maxTunnelPortConnectionsPerSource`). RSS is sampled as the count grows (slope) and again
 * after one keepalive round (pings touch each session's buffers). Goal: ≤ 100 KiB per tunnel.
 * The opener's own RSS per tunnel (the user-server side of the same sessions) is shown too.
 *
 *   node_modules/.bin/bun bench/relay/memory.ts
 *   BENCH_TUNNELS=1000 node_modules/.bin/bun bench/relay/memory.ts
 * Opening stops after BENCH_OPEN_MS (default 180 s); figures are then for the count reached.
 */
import { startHarness } from "../../testing/harness.ts";
import { join } from "node:path";
import { bun, fmt, onCleanup, repoRoot, rssKiB, runBench, spawnChild, table, tempDir } from "./_lib.ts";
import { registerBenchServers } from "./_servers.ts";
import { writeFileSync } from "node:fs";

const COUNT = Number(process.env.BENCH_TUNNELS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const OPEN_MS = Number(process.env.BENCH_OPEN_MS ?? 180_000);
const KEEPALIVE_MS = 15_000; // the relay's default keepaliveIntervalMs

/** Median of a few RSS reads a little apart (RSS moves with GC). */
async function steadyRss(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssKiB(pid));
    await Bun.sleep(200);
  }
  return xs.sort((a, b) => a - b)[2];
}

function slope(points: { n: number; kib: number }[]): number {
  const mx = points.reduce((s, p) => s + p.n, 0) / points.length;
  const my = points.reduce((s, p) => s + p.kib, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.n - mx) * (p.kib - my);
    den += (p.n - mx) ** 2;
  }
  return den ? num / den : NaN;
}

async function main() {
  const t0 = performance.now();
  const h = await startHarness({
    relays: 1,
    users: ["alice"],
    relayExtra: () => ({ maxTunnelPortConnectionsPerSource: COUNT + 64 }),
  });
  onCleanup(() => h.stop());
  const servers = await registerBenchServers(join(h.baseDir, "cloud"), COUNT);
  const serversFile = join(tempDir("bench-servers-"), "servers.json");
  writeFileSync(serversFile, JSON.stringify(servers));
  console.log(`registered ${servers.length} bench servers in ${fmt((performance.now() - t0) / 1000)} s`);
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  const relayPid = h.processes.get("relay-a")!.pid;
  const r = h.relay("relay-a");
  const relayTunnels = async () =>
    ((await (await fetch(`https://${r.tunnelAddress}:${r.tunnelPort}/healthz`, { tls: { ca: h.caPem } }))
      .json()) as { tunnels: number }).tunnels;
  await Bun.sleep(2000); // let start-up garbage settle
  const before = await steadyRss(relayPid);
  const tunnelsBefore = await relayTunnels();
  console.log(
    `memory: relay RSS before ${
      fmt(before / 1024, 1)
    } MiB with ${tunnelsBefore} tunnel(s); opening ${COUNT} ` +
      `(concurrency ${CONCURRENCY}, at most ${OPEN_MS / 1000} s)`,
  );

  const opener = spawnChild("tunnel opener", [
    bun,
    join(repoRoot, "bench/relay/_tunnels.ts"),
    JSON.stringify({
      cloudUrl: h.cloudUrl,
      caFile: h.caFile,
      userDir: h.dirs.users.alice,
      serversFile,
      count: COUNT,
      concurrency: CONCURRENCY,
      maxMs: OPEN_MS,
      progressEvery: Math.max(100, Math.round(COUNT / 10)),
    }),
  ]);
  const points: { n: number; kib: number }[] = [{ n: 0, kib: before }];
  opener.onLine((line) => {
    if (!line.startsWith("{")) return;
    const m = JSON.parse(line) as { opened?: number; done?: boolean; ms?: number; failed?: number };
    if (m.opened !== undefined && !m.done) {
      const kib = rssKiB(relayPid);
      points.push({ n: m.opened, kib });
      console.log(
        `  ${String(m.opened).padStart(5)} tunnels  ${fmt(m.ms! / 1000, 1)} s  relay RSS ${
          fmt(kib / 1024, 1)
        } MiB`,
      );
    }
  });
  const done = await opener.waitLine(
    (l) =>
      l.startsWith('{"done"')
        ? JSON.parse(l) as { opened: number; failed: number; ms: number; lastError: string }
        : undefined,
    OPEN_MS + 60_000,
  );
  const rate = done.opened / (done.ms / 1000);
  console.log(
    `opened ${done.opened} tunnels in ${fmt(done.ms / 1000, 1)} s (${
      fmt(rate, 0)
    }/s), ${done.failed} failed` +
      (done.failed ? ` (last: ${done.lastError})` : ""),
  );
  await Bun.sleep(3000);
  const held = await relayTunnels();
  const after = await steadyRss(relayPid);
  const openerAfter = await steadyRss(opener.pid);
  console.log(`waiting one keepalive round (${KEEPALIVE_MS / 1000 + 1} s) …`);
  await Bun.sleep(KEEPALIVE_MS + 1000);
  const afterPing = await steadyRss(relayPid);
  const heldAfterPing = await relayTunnels();
  const added = held - tunnelsBefore;
  const per = (kib: number) => (kib - before) / added;
  const s = slope(points);
  console.log(table([
    ["measure", "relay RSS", "KiB per tunnel"],
    ["before", `${fmt(before / 1024, 1)} MiB`, ""],
    [`after ${added} tunnels`, `${fmt(after / 1024, 1)} MiB`, fmt(per(after), 1)],
    ["after a keepalive round", `${fmt(afterPing / 1024, 1)} MiB`, fmt(per(afterPing), 1)],
    ["slope while opening", "", fmt(s, 1)],
  ]));
  console.log(
    `relay holds ${heldAfterPing} tunnels after the keepalive round. Per tunnel ${
      fmt(per(afterPing), 1)
    } KiB ` +
      `(goal ≤ 100 KiB): ${per(afterPing) <= 100 ? "met" : "NOT met"}` +
      (added < COUNT
        ? `; measured at ${added}, not ${COUNT}: extrapolating linearly, ${COUNT} tunnels ≈ ${
          fmt((before + per(afterPing) * COUNT) / 1024, 0)
        } MiB`
        : ""),
  );
  console.log(
    `opener (user-server side of the same sessions): ${fmt(openerAfter / 1024, 1)} MiB, ≈ ${
      fmt(openerAfter / added, 1)
    } KiB per tunnel incl. its runtime`,
  );
  await opener.stop();
  console.log(`memory done in ${fmt((performance.now() - t0) / 1000)} s`);
}

await runBench("memory", 8 * 60_000, main);

/**
 * New-connection latency: N sequential HTTPS GETs of alice's `/healthz` (a small JSON answer; `/`
 * now redirects to sign-in on alice's server but not on the bare origin, so it would not compare
 * like with like), each on a fresh TCP connection and a full TLS handshake (node:https,
 * `agent: false`), over
 *   direct   → Bun HTTPS origin with alice's certificate (its own process)
 *   nginx    → nginx stream proxy → origin
 *   ssh -R   → sshd → ssh channel → ssh client → origin
 *   relay    → relay browser port → new yamux stream in alice's tunnel → user server
 * Legs are interleaved in blocks of 100 requests so drift hits them alike. Prints p50/p90/p99 per
 * request and the relay's added latency (goal: relay p50 ≤ direct p50 + 1 ms).
 *
 * The relay limits new browser connections per source IP (default 200/s, burst 400); one client
 * on 127.0.0.1 opening connections back to back would be throttled, which is that limit working,
 * not latency. This benchmark raises the limit for its stack (`connectionsPerSecondPerIp`).
 *
 *   node_modules/.bin/bun bench/relay/latency.ts            # 2,000 requests per leg
 *   BENCH_REQUESTS=500 node_modules/.bin/bun bench/relay/latency.ts
 */
import { request } from "node:https";
import { startHarness, ZONE } from "../../testing/harness.ts";
import {
  fmt,
  onCleanup,
  percentile,
  runBench,
  startNginx,
  startOrigin,
  startSshTunnel,
  table,
} from "./_lib.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const BLOCK = 100;
const WARMUP = 50;
const HOST = `alice.${ZONE}`;

interface Leg {
  name: string;
  ip: string;
  port: number;
  ms: number[];
}

/** One GET on a new connection; resolves with the ms from request start to the body's end. */
function getOnce(leg: Leg, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({
      host: leg.ip,
      port: leg.port,
      path: "/healthz",
      method: "GET",
      servername: HOST,
      headers: { host: `${HOST}:${leg.port}`, connection: "close" },
      ca,
      agent: false,
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        const ms = performance.now() - t0;
        if (res.statusCode !== 200 || !body.includes('"listener":"relayed"')) {
          return reject(new Error(`${leg.name}: HTTP ${res.statusCode}, body ${body.slice(0, 80)}`));
        }
        resolve(ms);
      });
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${leg.name}: request timed out`)));
    req.on("error", reject);
    req.end();
  });
}

async function main() {
  const t0 = performance.now();
  const h = await startHarness({
    relays: 1,
    users: ["alice"],
    relayExtra: () => ({ connectionsPerSecondPerIp: 1_000_000 }),
  });
  onCleanup(() => h.stop());
  await h.waitFor("alice's tunnel", async () => (await h.tunnelsOf("alice")).length >= 1);
  const origin = await startOrigin(h.dirs.users.alice);
  const nginx = await startNginx(origin.port);
  const ssh = await startSshTunnel(origin.port);
  const r = h.relay("relay-a");
  const legs: Leg[] = [
    { name: "direct", ip: "127.0.0.1", port: origin.port, ms: [] },
    { name: "nginx", ip: "127.0.0.1", port: nginx.port, ms: [] },
    { name: "ssh -R", ip: "127.0.0.1", port: ssh.port, ms: [] },
    { name: "relay", ip: r.browserAddresses[0], port: r.browserPort, ms: [] },
  ];
  console.log(
    `latency: ${N} sequential new-connection GETs of /healthz per leg (stack up in ${
      fmt((performance.now() - t0) / 1000)
    } s)`,
  );
  for (const leg of legs) for (let i = 0; i < WARMUP; i++) await getOnce(leg, h.caPem);
  for (let done = 0; done < N; done += BLOCK) {
    for (const leg of legs) {
      for (let i = 0; i < Math.min(BLOCK, N - done); i++) leg.ms.push(await getOnce(leg, h.caPem));
    }
  }
  const p = (leg: Leg, q: number) => percentile(leg.ms, q);
  const direct = legs[0];
  console.log(table([
    ["leg", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50 − direct", "p99 − direct"],
    ...legs.map((l) => [
      l.name,
      fmt(p(l, 50), 2),
      fmt(p(l, 90), 2),
      fmt(p(l, 99), 2),
      fmt(Math.max(...l.ms), 1),
      `${fmt(p(l, 50) - p(direct, 50), 2)} ms`,
      `${fmt(p(l, 99) - p(direct, 99), 2)} ms`,
    ]),
  ]));
  const relay = legs[3];
  const added = p(relay, 50) - p(direct, 50);
  console.log(
    `relay p50 ${fmt(p(relay, 50), 2)} ms vs direct ${fmt(p(direct, 50), 2)} ms: +${fmt(added, 2)} ms ` +
      `(goal ≤ +1 ms) ${added <= 1 ? "met" : "NOT met"}; relay/direct p50 ${
        fmt(p(relay, 50) / p(direct, 50), 2)
      }×`,
  );
  console.log(`latency done in ${fmt((performance.now() - t0) / 1000)} s`);
}

await runBench("latency", 10 * 60_000, main);

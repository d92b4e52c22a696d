/**
 * Opens many idle tunnels to the relays RegCloud offers, one per registered bench server (from
 * `_servers.ts`: a relay keeps one tunnel per server), each as a user server would (signed relay
 * request → one-time nonce → TLS + hello + yamux), and holds them until killed. Run by
 * bench/relay/memory.ts as its own process so its memory and CPU are not the relay's nor the
 * benchmark's. Prints JSON lines: progress, then `{"done":true,…}`.
 *   bun bench/relay/_tunnels.ts '{"cloudUrl":…,"caFile":…,"userDir":…,"serversFile":…,"count":5000,"concurrency":32,"maxMs":180000}'
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importKeyPairPem } from "../../shared/pki/mod.ts";
import { fetchRelayOffers } from "../../userserver/connector/cloud.ts";
import { type OpenTunnel, openTunnel } from "../../userserver/connector/tunnel.ts";
import { createLogger } from "../../shared/log/mod.ts";

const o = JSON.parse(process.argv[2] ?? "{}") as {
  cloudUrl: string;
  caFile: string;
  /** Where streams would be piped (none are opened on idle tunnels). */
  userDir: string;
  serversFile: string;
  count: number;
  concurrency: number;
  maxMs: number;
  progressEvery?: number;
};
const servers = JSON.parse(readFileSync(o.serversFile, "utf8")) as {
  serverId: string;
  totpSecret: string;
  keyPem: string;
}[];
if (servers.length < o.count) {
  throw new Error(`${o.serversFile} holds ${servers.length} servers, not ${o.count}`);
}
const caPem = readFileSync(o.caFile, "utf8");
const log = createLogger({ level: "error", sink: (line) => console.error(line) });

const tunnels: OpenTunnel[] = [];
let next = 0;
let failed = 0;
let lastError = "";
let closedEarly = 0;
const t0 = performance.now();
const every = o.progressEvery ?? 250;
const deadline = t0 + o.maxMs;

async function worker(): Promise<void> {
  while (next < o.count && performance.now() < deadline) {
    const server = servers[next++];
    try {
      const { privateKey } = await importKeyPairPem(server.keyPem);
      const access = { cloudUrl: o.cloudUrl, caPem, serverId: server.serverId, serverKey: privateKey };
      const [offer] = await fetchRelayOffers(access, 1);
      if (!offer) throw new Error("RegCloud offered no relay");
      const t = await openTunnel({
        offer,
        serverId: server.serverId,
        totpSecret: server.totpSecret,
        caPem,
        relayedSocket: join(o.userDir, "relayed.sock"),
        log,
      });
      void t.closed.then(() => closedEarly++);
      tunnels.push(t);
      if (tunnels.length % every === 0) {
        console.log(
          JSON.stringify({ opened: tunnels.length, failed, ms: Math.round(performance.now() - t0) }),
        );
      }
    } catch (err) {
      failed++;
      lastError = (err as Error).message;
      if (failed > 50 && failed > tunnels.length) throw new Error(`Too many failures; last: ${lastError}`);
    }
  }
}

await Promise.all(Array.from({ length: o.concurrency }, worker));
console.log(JSON.stringify({
  done: true,
  opened: tunnels.length,
  failed,
  closed: closedEarly,
  lastError,
  ms: Math.round(performance.now() - t0),
}));
process.on("SIGTERM", () => process.exit(0));
setInterval(() => {
  if (closedEarly) console.log(JSON.stringify({ closed: closedEarly }));
}, 5000);

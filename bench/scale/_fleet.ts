/**
 * Simulated user servers for bench/scale/scale.ts: N registered servers in one process, each with
 * the real ETConnector (userserver/connector) holding 2 tunnels, and one small HTTPS page behind
 * them all (a wildcard certificate for `*.<zone>` on one relayed unix socket, as a user server
 * listens there). What is simulated: many servers share one process, one TLS listener and one
 * page; what is real: every attach (signed offer request, one-time nonce, TOTP hello), every
 * tunnel and its reattach logic, every browser stream through the relays.
 *
 * Reads its servers from a JSON file (0600, written by scale.ts). Prints JSON lines:
 *   {"up":n,"full":n}                         every second: servers with ≥1 and with 2 tunnels
 *   {"lost":name,"relay":id,"at":ms}          a server went below 2 tunnels
 *   {"recovered":name,"ms":n,"at":ms}         it is back at 2 (ms since it went below)
 *   bun bench/scale/_fleet.ts <servers.json> <cert.pem> <key.pem> <ca.pem> <cloudUrl> <socket path> <rampMs>
 */
import { readFileSync, rmSync } from "node:fs";
import { Connector } from "../../userserver/connector/connector.ts";
import { createLogger } from "../../shared/log/mod.ts";

interface SimServer {
  name: string;
  serverId: string;
  totpSecret: string;
  privateJwk: JsonWebKey;
}

const [serversFile, certFile, keyFile, caFile, cloudUrl, socket, rampText] = process.argv.slice(2);
const servers = JSON.parse(readFileSync(serversFile, "utf8")) as SimServer[];
const caPem = readFileSync(caFile, "utf8");
const rampMs = Number(rampText ?? 0);
const page = `<!doctype html><title>hello</title><p>${"A simulated user server's page. ".repeat(20)}</p>`;

// One TLS listener for every simulated server (Bun.serve answers with its one certificate
// whatever the SNI; the certificate names `*.<zone>`).
rmSync(socket, { force: true });
const listener = Bun.serve({
  unix: socket,
  tls: { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") },
  fetch: () => new Response(page, { headers: { "content-type": "text/html", "cache-control": "no-store" } }),
});

// Warnings from 1,000 connectors would drown the output: count them by message and reason instead.
let warnings = 0;
const reasons = new Map<string, number>();
const log = createLogger({
  level: "warn",
  sink: (line) => {
    warnings++;
    try {
      const { msg, err, relay } = JSON.parse(line) as {
        msg: string;
        err?: { message?: string } | string;
        relay?: string;
      };
      const why = typeof err === "string" ? err : err?.message ?? "";
      const key = `${msg}${
        why ? `: ${why.replace(/relay-[a-z]/g, "relay-?").replace(/\d+/g, "N").slice(0, 100)}` : ""
      }`;
      void relay;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    } catch {
      reasons.set(line.slice(0, 100), (reasons.get(line.slice(0, 100)) ?? 0) + 1);
    }
  },
});

const t0 = performance.now();
const at = () => Math.round(performance.now() - t0);
const connectors: { name: string; c: Connector; tunnels: number; lowSince?: number; lostRelays: string[] }[] =
  [];
for (const [i, s] of servers.entries()) {
  const serverKey = await crypto.subtle.importKey(
    "jwk",
    s.privateJwk,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const c = new Connector({
    cloud: { cloudUrl, caPem, serverId: s.serverId, serverKey },
    totpSecret: s.totpSecret,
    relayedSocket: socket,
    log: log.child({ server: s.name }),
  });
  connectors.push({ name: s.name, c, tunnels: 0, lostRelays: [] });
  // Servers start spread over the ramp, as machines do, not in one thundering herd.
  setTimeout(() => c.start(), rampMs * (i / servers.length));
}

/** Every 100 ms: who went below 2 tunnels, who is back (the connector keeps no event list). */
let last: Map<string, string[]> = new Map();
setInterval(() => {
  const now = performance.now();
  const next = new Map<string, string[]>();
  for (const s of connectors) {
    const relays = s.c.status().map((t) => t.relayId);
    next.set(s.name, relays);
    const before = last.get(s.name) ?? [];
    if (relays.length < 2 && s.tunnels >= 2) {
      s.lowSince = now;
      const gone = before.filter((r) => !relays.includes(r));
      console.log(JSON.stringify({ lost: s.name, relay: gone.join(","), at: at() }));
    }
    if (relays.length >= 2 && s.lowSince !== undefined) {
      console.log(JSON.stringify({ recovered: s.name, ms: Math.round(now - s.lowSince), at: at() }));
      s.lowSince = undefined;
    }
    s.tunnels = relays.length;
  }
  last = next;
}, 100);

setInterval(() => {
  const up = connectors.filter((s) => s.tunnels >= 1).length;
  const full = connectors.filter((s) => s.tunnels >= 2).length;
  const perRelay: Record<string, number> = {};
  for (const relays of last.values()) for (const r of relays) perRelay[r] = (perRelay[r] ?? 0) + 1;
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(JSON.stringify({ up, full, perRelay, warnings, reasons: Object.fromEntries(top), at: at() }));
}, 1000);

process.on("SIGTERM", async () => {
  await Promise.all(connectors.map((s) => s.c.stop()));
  listener.stop(true);
  process.exit(0);
});

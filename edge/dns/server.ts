/**
 * Entry point of a DNS front on Bun (UDP + TCP, same resolver as DoH):
 *   bun edge/dns/server.ts [serve|init|check-config] [--data-dir .data/dns] [--version]
 * `init` creates its RegCloud credential (`credential`, 0600) and prints its hash for the operator
 * command `edge/main.ts add-dns-front`. It holds no DB credentials: the zone comes from RegCloud's
 * snapshot endpoint, polled with an ETag. Until the first snapshot arrives it answers SERVFAIL.
 */
import { readFileSync } from "node:fs";
import { ensureDataDir } from "../../platform/files.ts";
import { CREDENTIAL_FILE, ensureRelayCredential, loadRelayCredential } from "../../platform/secrets.ts";
import { processLogger } from "../../platform/logger.ts";
import { checkConfig, parseCommandLine, versionLine } from "../../platform/cli.ts";
import { onShutdown, runMain } from "../../platform/main.ts";
import { loadDnsFrontConfig } from "./config.ts";
import { startDnsFront } from "./front.ts";
import { Responder, serverFailure, type TransportKind } from "./resolver.ts";
import { SnapshotClient } from "./snapshot_client.ts";

await runMain("dns", async () => {
  const cli = parseCommandLine(".data/dns");
  if (cli.command === "version") return console.log(versionLine("dns"));
  if (cli.command === "check-config") {
    // Reads only: no data dir is created.
    const cfg = loadDnsFrontConfig(cli.dataDir, cli.configFile);
    const check = { referenced: { caFile: cfg.caFile }, dataFiles: [CREDENTIAL_FILE] };
    return console.log(checkConfig("dns", cli, check));
  }
  ensureDataDir(cli.dataDir);
  const cfg = loadDnsFrontConfig(cli.dataDir, cli.configFile);
  if (cli.command === "init") {
    // The same `<id>.<secret>` bearer scheme as a relay's, in this front's own data dir.
    const { hash } = await ensureRelayCredential(cli.dataDir, cfg.id);
    console.log(JSON.stringify({ current: true, credentialHash: hash, hostName: cfg.hostName }));
    return;
  }
  if (cli.command !== "serve") {
    throw new Error(`Unknown command "${cli.command}" (expected serve, init or check-config)`);
  }
  const log = processLogger(cfg.id, cfg.logFormat);
  let responder: Responder | undefined;
  const notReady = { respond: (q: Uint8Array, _t: TransportKind) => serverFailure(q) };
  const client = new SnapshotClient({
    cloudUrl: cfg.cloudUrl,
    credential: loadRelayCredential(cli.dataDir),
    caPem: cfg.caFile ? readFileSync(cfg.caFile, "utf8") : undefined,
    intervalMs: cfg.refreshIntervalMs,
    log,
    onSnapshot: (s) => {
      if (responder) responder.update(s);
      else {
        responder = new Responder(s, { maxEntries: cfg.cacheEntries });
        log.info("first snapshot loaded", {
          serial: s.serial,
          users: s.users.length,
          relays: s.relays.length,
        });
      }
    },
  });
  const front = await startDnsFront({
    hostname: cfg.listenHost,
    port: cfg.port,
    answerer: () => responder ?? notReady,
    log,
    tcpIdleTimeoutMs: cfg.tcpIdleTimeoutMs,
    maxTcpConnections: cfg.maxTcpConnections,
  });
  client.start();
  log.info("dns front listening", {
    udp: `${cfg.listenHost}:${front.port}`,
    tcp: `${cfg.listenHost}:${front.port}`,
    zone: cfg.zone,
    try: `dig @${cfg.listenHost} -p ${front.port} alice.${cfg.zone} A`,
  });
  onShutdown(() => {
    log.info("dns front stopping", front.stats);
    client.stop();
    front.stop();
  });
});

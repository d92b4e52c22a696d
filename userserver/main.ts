/**
 * Entry point of the user server on Bun:
 *   bun run userserver [serve|init] [--data-dir .data/users/alice]
 */
import { rmSync } from "node:fs";
import { ensureDataDir } from "../platform/files.ts";
import { initIdentity, loadTlsFiles } from "../platform/identity.ts";
import { ensureServerKey, loadRegistration } from "../platform/secrets.ts";
import { readFileSync } from "node:fs";
import { Connector } from "./connector/connector.ts";
import { processLogger } from "../platform/logger.ts";
import { parseCommandLine } from "../platform/cli.ts";
import { listenOrExplain, onShutdown, runMain } from "../platform/main.ts";
import { loadUserServerConfig, publicOrigin, userServerNames } from "./config.ts";
import { createLocalApp } from "./web/local_app.tsx";
import { createRelayedApp } from "./web/relayed_app.tsx";

await runMain("userserver", async () => {
  const cli = parseCommandLine(".data/users/alice");
  ensureDataDir(cli.dataDir);
  const cfg = loadUserServerConfig(cli.dataDir, cli.configFile);
  if (cli.command === "init") {
    const { current } = await initIdentity(cli.dataDir, userServerNames(cfg));
    const { publicJwk } = await ensureServerKey(cli.dataDir);
    console.log(JSON.stringify({ current, publicJwk }));
    return;
  }
  if (cli.command !== "serve") throw new Error(`Unknown command "${cli.command}" (expected serve or init)`);
  const log = processLogger(`userserver:${cfg.name}`, cfg.logFormat);
  const tls = loadTlsFiles(cli.dataDir);
  const origin = publicOrigin(cfg);
  let tunnelStatus: () => { relayId: string; upAt: number }[] = () => [];

  const local = listenOrExplain(
    "the local listener",
    `${cfg.localAddress}:${cfg.localPort}`,
    () =>
      Bun.serve({
        hostname: cfg.localAddress,
        port: cfg.localPort,
        tls,
        fetch: createLocalApp({ name: cfg.name, publicOrigin: origin, tunnels: () => tunnelStatus() }).fetch,
      }),
  );
  // A stale socket file from a crash would make listen fail; nothing else may own this path.
  rmSync(cfg.relayedSocket, { force: true });
  const relayed = listenOrExplain("the relayed listener", cfg.relayedSocket, () =>
    Bun.serve({
      unix: cfg.relayedSocket,
      tls,
      fetch: createRelayedApp({ name: cfg.name, enableByteStream: cfg.enableByteStream }).fetch,
    }));
  const registration = loadRegistration(cli.dataDir);
  let connector: Connector | undefined;
  if (registration) {
    const { keys } = await ensureServerKey(cli.dataDir);
    connector = new Connector({
      cloud: {
        cloudUrl: cfg.cloudUrl,
        caPem: cfg.caFile ? readFileSync(cfg.caFile, "utf8") : undefined,
        serverId: registration.serverId,
        serverKey: keys.privateKey,
      },
      totpSecret: registration.totpSecret,
      relayedSocket: cfg.relayedSocket,
      want: cfg.tunnels,
      log,
    });
    connector.start();
  } else {
    log.warn("not registered yet: no tunnels (run the first-run setup or `npm run dev`)");
  }
  tunnelStatus = () => connector?.status() ?? [];
  log.info("user server listening", {
    local: `https://${cfg.localAddress}:${local.port}`,
    relayed: cfg.relayedSocket,
    publicOrigin: origin,
  });
  onShutdown(async () => {
    log.info("user server stopping");
    await connector?.stop();
    await Promise.all([local.stop(), relayed.stop()]);
    rmSync(cfg.relayedSocket, { force: true });
  });
});

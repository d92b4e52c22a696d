/**
 * Entry point of an ETCloud relay on Bun:
 *   bun edge/relay/main.ts [serve|init|check-config] [--data-dir .data/relay-a] [--version]
 */
import { ensureDataDir } from "../../platform/files.ts";
import { CERT_FILE, initIdentity, KEY_FILE, loadTlsFiles } from "../../platform/identity.ts";
import { CREDENTIAL_FILE, ensureRelayCredential, loadRelayCredential } from "../../platform/secrets.ts";
import { readFileSync } from "node:fs";
import { processLogger } from "../../platform/logger.ts";
import { checkConfig, parseCommandLine, versionLine } from "../../platform/cli.ts";
import { onShutdown, runMain } from "../../platform/main.ts";
import { loadRelayConfig, relayNames } from "./config.ts";
import { startRelay } from "./relay.ts";
import { relayAcme } from "./acme.ts";
import { missingAllocatorEnv } from "../../platform/runtime_env.ts";

await runMain("relay", async () => {
  const cli = parseCommandLine(".data/relay-a");
  if (cli.command === "version") return console.log(versionLine("relay"));
  if (cli.command === "check-config") {
    // Reads only: no data dir is created.
    const cfg = loadRelayConfig(cli.dataDir, cli.configFile);
    const dataFiles = [KEY_FILE, CERT_FILE, CREDENTIAL_FILE];
    return console.log(checkConfig("relay", cli, { referenced: { caFile: cfg.caFile }, dataFiles }));
  }
  ensureDataDir(cli.dataDir);
  const cfg = loadRelayConfig(cli.dataDir, cli.configFile);
  if (cli.command === "init") {
    const { current } = await initIdentity(cli.dataDir, relayNames(cfg));
    const { hash } = await ensureRelayCredential(cli.dataDir, cfg.id);
    console.log(JSON.stringify({ current, credentialHash: hash }));
    return;
  }
  if (cli.command !== "serve") {
    throw new Error(`Unknown command "${cli.command}" (expected serve, init or check-config)`);
  }
  const log = processLogger(cfg.id, cfg.logFormat);
  const missing = missingAllocatorEnv();
  if (missing.length > 0) {
    log.warn("started without its allocator setting: forwarding costs about twice the CPU per GB", {
      startWith: missing.join(" "),
    });
  }
  const relay = startRelay(cfg, {
    tls: loadTlsFiles(cli.dataDir),
    credential: loadRelayCredential(cli.dataDir),
    cloudCaPem: cfg.caFile ? readFileSync(cfg.caFile, "utf8") : undefined,
    log,
  });
  // With `acme`, the tunnel port's certificate comes from the ACME CA (HTTP-01) and is renewed
  // while running; until the first one is issued it uses the one from set-up.
  const acme = relayAcme(cfg, { log, onIssued: (next) => relay.reloadTls(next) });
  onShutdown(async () => {
    acme?.stop();
    await relay.stop();
  });
});

/**
 * Entry point of an ETCloud relay on Bun:
 *   bun edge/relay/main.ts [serve|init] [--data-dir .data/relay-a]
 */
import { ensureDataDir } from "../../platform/files.ts";
import { initIdentity, loadTlsFiles } from "../../platform/identity.ts";
import { ensureRelayCredential, loadRelayCredential } from "../../platform/secrets.ts";
import { readFileSync } from "node:fs";
import { processLogger } from "../../platform/logger.ts";
import { parseCommandLine } from "../../platform/cli.ts";
import { onShutdown, runMain } from "../../platform/main.ts";
import { loadRelayConfig, relayNames } from "./config.ts";
import { startRelay } from "./relay.ts";
import { missingRuntimeEnv } from "./runtime_env.ts";

await runMain("relay", async () => {
  const cli = parseCommandLine(".data/relay-a");
  ensureDataDir(cli.dataDir);
  const cfg = loadRelayConfig(cli.dataDir, cli.configFile);
  if (cli.command === "init") {
    const { current } = await initIdentity(cli.dataDir, relayNames(cfg));
    const { hash } = await ensureRelayCredential(cli.dataDir, cfg.id);
    console.log(JSON.stringify({ current, credentialHash: hash }));
    return;
  }
  if (cli.command !== "serve") throw new Error(`Unknown command "${cli.command}" (expected serve or init)`);
  const log = processLogger(cfg.id, cfg.logFormat);
  const missing = missingRuntimeEnv();
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
  onShutdown(() => relay.stop());
});

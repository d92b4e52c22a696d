/**
 * Entry point of the user server on Bun:
 *   bun run userserver [serve|init|register <token>|open|check-config] [--data-dir .data/users/alice]
 *   bun run userserver backup <dir> | restore <dir>   (userserver/backup: the database and the blobs)
 *   bun run userserver --version
 */
import { ensureDataDir } from "../platform/files.ts";
import { initIdentity } from "../platform/identity.ts";
import { ensureServerKey } from "../platform/secrets.ts";
import { processLogger } from "../platform/logger.ts";
import { missingAllocatorEnv } from "../platform/runtime_env.ts";
import { checkConfig, parseCommandLine, versionLine } from "../platform/cli.ts";
import { CERT_FILE, KEY_FILE } from "../platform/identity.ts";
import { REGISTRATION_FILE, SERVER_KEY_FILE } from "../platform/secrets.ts";
import { backupDataDir, restoreDataDir } from "./backup/mod.ts";
import { onShutdown, runMain } from "../platform/main.ts";
import { loadUserServerConfig, localOrigin, publicOrigin, userServerNames } from "./config/mod.ts";
import { runUserServer } from "./boot/mod.ts";
import { createOpenLogin } from "./local/mod.ts";
import { createCore } from "./core/mod.ts";
import { createServerAuth } from "./auth/mod.ts";
import { listenerTls, readCaPem, registerWithCloud } from "./registration/mod.ts";
import { acmePlugin, userServerAcme } from "./acme/mod.ts";

await runMain("userserver", async () => {
  const cli = parseCommandLine(".data/users/alice");
  if (cli.command === "version") return console.log(versionLine("userserver"));
  if (cli.command === "check-config") {
    // Reads only: an older file is validated as it will be upgraded, and left as it is.
    const { config, wouldUpgradeFrom } = loadUserServerConfig(cli.dataDir, cli.configFile, {
      upgradeFile: false,
    });
    const dataFiles = [KEY_FILE, CERT_FILE, SERVER_KEY_FILE, REGISTRATION_FILE];
    const report = checkConfig("userserver", cli, { referenced: { caFile: config.caFile }, dataFiles });
    const upgrade = wouldUpgradeFrom
      ? `\nuserserver: note: the file is version ${wouldUpgradeFrom}; serve upgrades it (keeping a backup)`
      : "";
    return console.log(report + upgrade);
  }
  if (cli.command === "restore") {
    // Before anything creates the data dir: restore wants it absent or empty.
    const from = cli.args[0] ?? raise("Usage: userserver restore <backup dir> [--data-dir DIR]");
    const result = restoreDataDir(from, cli.dataDir);
    return console.log(JSON.stringify(result));
  }
  ensureDataDir(cli.dataDir);
  const { config: cfg, upgradedFrom } = loadUserServerConfig(cli.dataDir, cli.configFile);
  if (upgradedFrom) {
    process.stderr.write(
      `userserver: upgraded ${cli.configFile} from version ${upgradedFrom.version}; the old file is kept as ${upgradedFrom.backup}\n`,
    );
  }
  if (cli.command === "init") {
    const { current } = await initIdentity(cli.dataDir, userServerNames(cfg));
    const { publicJwk } = await ensureServerKey(cli.dataDir);
    console.log(JSON.stringify({ current, publicJwk }));
    return;
  }
  if (cli.command === "register") {
    // First run: register directly with RegCloud using the owner's one-time token.
    const reg = await registerWithCloud(cli.args[0] ?? "", {
      dataDir: cli.dataDir,
      name: cfg.name,
      names: userServerNames(cfg),
      cloudUrl: cfg.cloudUrl,
      caPem: readCaPem(cfg.caFile),
    });
    console.log(
      JSON.stringify({ serverId: reg.serverId, name: reg.name, certificateNames: reg.certificateNames }),
    );
    return;
  }
  if (cli.command === "open") {
    // Sign this computer's browser in without the internet (userserver/local/open_login.ts).
    const { id, a } = createOpenLogin(cli.dataDir);
    const url = `${localOrigin(cfg)}/local/open?id=${id}&a=${a}`;
    console.log(`Open this link within two minutes (it works once, on this computer only):\n${url}`);
    const opener = process.platform === "darwin" ? "open" : "xdg-open";
    if (process.platform === "darwin" || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
      try {
        Bun.spawn([opener, url], { stdout: "ignore", stderr: "ignore" }).unref();
      } catch {
        // No opener: the printed link is enough.
      }
    }
    return;
  }
  if (cli.command === "backup") {
    const to = cli.args[0] ?? raise("Usage: userserver backup <dir> [--data-dir DIR]");
    return console.log(JSON.stringify(backupDataDir(cli.dataDir, to)));
  }
  if (cli.command !== "serve") {
    throw new Error(
      `Unknown command "${cli.command}" (expected serve, init, register <token>, open, check-config, backup <dir> or restore <dir>)`,
    );
  }
  const log = processLogger(`userserver:${cfg.name}`, cfg.logFormat);
  const missing = missingAllocatorEnv();
  if (missing.length > 0) {
    log.warn("started without its allocator setting: uploads cost about twice the CPU per GB", {
      startWith: missing.join(" "),
    });
  }
  // Before registration the local listener still serves the setup page, with a temporary certificate.
  const tls = await listenerTls(cli.dataDir, userServerNames(cfg), { log });
  const origin = publicOrigin(cfg);
  // The core first (database, store, …), then sign-in on its database, then the web layer on both.
  const core = await createCore(cfg, log);
  // Sign-in: the OIDC relying party of IdCloud (userserver/auth); the config's test seam replaces it.
  const auth = cfg.testOwnerToken ? undefined : await createServerAuth({
    dataDir: cli.dataDir,
    zone: cfg.zone,
    publicOrigin: origin,
    cloudUrl: cfg.cloudUrl,
    caFile: cfg.caFile,
    sessionCheckSeconds: cfg.sessionCheckSeconds,
    log,
    db: core.db,
  }).catch((e) => {
    core.reader.close();
    core.db.close();
    throw e;
  });
  // With `acme` configured, the certificate comes from the ACME CA and is renewed while running;
  // until the first one is issued the listeners use the one from registration.
  const keeper = await userServerAcme(cfg, { log, onIssued: (next) => server.reloadTls(next) });
  const server = await runUserServer(core, auth, {
    tls,
    plugins: keeper
      ? [
        acmePlugin({
          state: () => keeper.state,
          renewNow: () => keeper.renewNow(),
          revoke: () => keeper.revoke(),
        }),
      ]
      : [],
  });
  keeper?.start();
  log.info("user server listening", {
    local: `https://${cfg.localAddress}:${server.localPort}`,
    relayed: cfg.relayedSocket,
    publicOrigin: origin,
  });
  if (server.setupToken) {
    // Printed to the owner's console only: the setup page exists only on the local listener.
    console.log(`First-run setup: ${localOrigin(cfg)}/setup?token=${server.setupToken}`);
  }
  onShutdown(async () => {
    log.info("user server stopping");
    keeper?.stop();
    await server.stop();
  });
});

function raise(message: string): never {
  throw new Error(message);
}

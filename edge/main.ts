/**
 * Entry point of the cloud tier (RegCloud + IdCloud + DoH) on Deno:
 *   deno run -A edge/main.ts [serve|init|add-relay|add-server] [--data-dir .data/cloud]
 * `init` creates the key and certificate request; `serve` (the default) serves HTTPS with the
 * certificate issued for that request (`deno serve` cannot take a server certificate);
 * `add-relay` and `add-server` are operator commands on the cloud DB (see edge/operator.ts).
 */
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { openDatabase } from "../platform/db.ts";
import { ensureDataDir } from "../platform/files.ts";
import { initIdentity, loadTlsFiles } from "../platform/identity.ts";
import { processLogger } from "../platform/logger.ts";
import { parseCommandLine } from "../platform/cli.ts";
import { explainListenError, ListenError, onShutdown, runMain } from "../platform/main.ts";
import { cloudNames, loadCloudConfig } from "./config.ts";
import { createCloudApp } from "./app.ts";
import { runOperatorCommand } from "./operator.ts";
import { sweepDeadRelays } from "./reg/liveness.ts";
import { createTransport, startDeliveryLoop } from "./mail/mod.ts";
import { loadIssuer } from "./id/issuer.ts";
import { join } from "node:path";
import { rotateKeysIfDue } from "./id/oidc/mod.ts";

const migrationsFolder = new URL("../migrations/cloud", import.meta.url).pathname;

await runMain("cloud", async () => {
  const cli = parseCommandLine(".data/cloud");
  ensureDataDir(cli.dataDir);
  const cfg = loadCloudConfig(cli.dataDir, cli.configFile);
  if (cli.command === "init") {
    console.log(JSON.stringify(await initIdentity(cli.dataDir, cloudNames(cfg))));
    return;
  }
  const log = processLogger("cloud", cfg.logFormat);
  const db = await openDatabase(cfg.databaseUrl, {
    schema: cloudSchema,
    migrationsFolder,
    authToken: cfg.databaseAuthToken,
  });
  const deps = {
    db,
    log,
    zone: cfg.zone,
    now: Date.now,
    // DNS answers reg./id.<zone> with the addresses the cloud tier is served on.
    publicAddresses: cloudNames(cfg).ipAddresses.filter((ip) => ip !== "0.0.0.0" && ip !== "::"),
    // IdCloud: its origin for mailed links; the issuing CA for user servers (created by the dev set-up).
    id: { origin: cfg.idOrigin, issuer: loadIssuer(cli.dataDir) },
  };
  if (cli.command !== "serve") {
    try {
      console.log(JSON.stringify(await runOperatorCommand(deps, cli.command, cli.flags)));
    } finally {
      db.close();
    }
    return;
  }
  const tls = loadTlsFiles(cli.dataDir);
  const app = createCloudApp(deps);
  // Relays that stop heartbeating are marked dead even when nobody asks (Deno.cron in production).
  const sweep = setInterval(
    () => sweepDeadRelays(deps).catch((err) => log.error("sweep failed", { err })),
    1000,
  );
  // IdCloud's OIDC signing keys rotate every 30 days (checked hourly; Deno.cron in production).
  const rotateIfDue = () =>
    rotateKeysIfDue(deps).then(
      (r) =>
        r &&
        log.info("oidc signing keys rotated", { created: r.created.map((k) => k.kid), retired: r.retired }),
      (err) => log.error("oidc key rotation failed", { err }),
    );
  void rotateIfDue();
  const rotation = setInterval(rotateIfDue, 3600_000);
  // The mail outbox's delivery job (edge/mail): a loop here; Deno.cron where deployed.
  const mailTransport = createTransport(cfg.mail, { log, defaultDir: join(cli.dataDir, "mail") });
  const stopMail = startDeliveryLoop(deps, mailTransport, { from: cfg.mailFrom });
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: cfg.listenHost,
      port: cfg.port,
      cert: tls.cert,
      key: tls.key,
      onListen: ({ hostname, port }) =>
        log.info("cloud tier listening", { url: `https://${hostname}:${port}` }),
    }, app.fetch);
  } catch (cause) {
    throw new ListenError(`Cannot listen on ${cfg.listenHost}:${cfg.port}: ${explainListenError(cause)}`, {
      cause,
    });
  }
  onShutdown(async () => {
    log.info("cloud tier stopping");
    clearInterval(sweep);
    await stopMail();
    clearInterval(rotation);
    await server.shutdown();
    db.close();
  });
});

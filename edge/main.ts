/**
 * Entry point of the cloud tier (RegCloud + IdCloud + DoH) on Deno:
 *   deno run -A edge/main.ts [serve|init|check-config|add-relay|add-server] [--data-dir .data/cloud]
 *   deno run -A edge/main.ts --version | check-config --deploy-env (the Deno Deploy variables)
 * `init` creates the key and certificate request; `serve` (the default) serves HTTPS with the
 * certificate issued for that request (`deno serve` cannot take a server certificate);
 * `add-relay` and `add-server` are operator commands on the cloud DB (see edge/operator.ts).
 */
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { openDatabase } from "../platform/db.ts";
import { ensureDataDir } from "../platform/files.ts";
import { CERT_FILE, initIdentity, KEY_FILE, loadTlsFiles } from "../platform/identity.ts";
import { processLogger } from "../platform/logger.ts";
import { checkConfig, parseCommandLine, versionLine } from "../platform/cli.ts";
import { explainListenError, ListenError, onShutdown, runMain } from "../platform/main.ts";
import { cloudNames, loadCloudConfig } from "./config.ts";
import { createCloudApp } from "./app.ts";
import { runOperatorCommand } from "./operator.ts";
import { readDeployEnv } from "./deploy_env.ts";
import { createTransport } from "./mail/mod.ts";
import { cloudJobs, runJobsOnTimers } from "./jobs.ts";
import { loadIssuer } from "./id/issuer.ts";
import { withAccessLog } from "./access_log.ts";
import { cloudAcme } from "./acme.ts";
import { join } from "node:path";
import { existsSync } from "node:fs";

const migrationsFolder = new URL("../migrations/cloud", import.meta.url).pathname;

await runMain("cloud", async () => {
  const cli = parseCommandLine(".data/cloud");
  if (cli.command === "version") return console.log(versionLine("cloud"));
  if (cli.command === "check-config" && cli.flags["deploy-env"]) {
    // The environment edge/deploy.ts will read on Deno Deploy, checked here before deploying.
    const env = readDeployEnv((name) => Deno.env.get(name));
    console.log(
      `cloud: the Deno Deploy environment is valid (database ${env.databaseUrl}, zone ${env.zone})`,
    );
    if (!env.mail.transport) {
      console.log("cloud: note: HEARTH_MAIL_TRANSPORT is not set: mail stays in the outbox");
    }
    return;
  }
  if (cli.command === "check-config") {
    // Reads only: no data dir is created, the database is not opened.
    loadCloudConfig(cli.dataDir, cli.configFile);
    return console.log(checkConfig("cloud", cli, { dataFiles: [KEY_FILE, CERT_FILE] }));
  }
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
    // Nonces, heartbeats and tunnel events are written on every attach and every 2 s per relay:
    // a commit must not wait for the disk (a power cut loses the last seconds of them, which
    // relays and connectors re-send). bench/scale/README.md has the figures.
    synchronous: "normal",
  });
  const deps = {
    db,
    log,
    zone: cfg.zone,
    now: Date.now,
    tunnelEventRetentionDays: cfg.tunnelEventRetentionDays,
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
  const app = createCloudApp(deps);
  // Background jobs (edge/jobs.ts) on timers here; deploy.ts runs the same list with Deno.cron.
  const mailTransport = createTransport(cfg.mail, { log, defaultDir: join(cli.dataDir, "mail") });
  const stopJobs = runJobsOnTimers(cloudJobs(deps, { transport: mailTransport, from: cfg.mailFrom }), log);
  const handler = Deno.env.get("HEARTH_ACCESS_LOG") === "1" ? withAccessLog(app.fetch, log) : app.fetch;
  // With ACME, a renewed certificate replaces the listener in the same process: the old one stops
  // accepting (its requests in flight finish), the new one binds the port a few ms later. (Two
  // listeners on one port would need Deno's unstable TLS reusePort.)
  const listen = (tls: { key: string; cert: string }) => {
    try {
      return Deno.serve({
        hostname: cfg.listenHost,
        port: cfg.port,
        cert: tls.cert,
        key: tls.key,
        onListen: ({ hostname, port }) =>
          log.info("cloud tier listening", { url: `https://${hostname}:${port}` }),
      }, handler);
    } catch (cause) {
      throw new ListenError(`Cannot listen on ${cfg.listenHost}:${cfg.port}: ${explainListenError(cause)}`, {
        cause,
      });
    }
  };
  let server: Deno.HttpServer | undefined;
  const acme = cloudAcme(cfg, cloudNames(cfg).dnsNames, {
    log,
    onIssued: async (tls) => {
      const previous = server;
      const finished = previous?.shutdown();
      server = await listenWhenFree(() => listen(tls));
      if (previous) log.info("cloud tier serves its renewed certificate");
      await finished;
    },
  });
  // The first start with ACME has no certificate yet: the keeper's first order opens the listener.
  if (!acme || existsSync(join(cli.dataDir, CERT_FILE))) server ??= listen(loadTlsFiles(cli.dataDir));
  onShutdown(async () => {
    log.info("cloud tier stopping");
    await acme?.stop();
    await stopJobs();
    await server?.shutdown();
    db.close();
  });
});

/** Binds once the previous listener has let go of the port (it closes right after `shutdown()`). */
async function listenWhenFree(listen: () => Deno.HttpServer): Promise<Deno.HttpServer> {
  for (let attempt = 0;; attempt++) {
    try {
      return listen();
    } catch (e) {
      if (attempt >= 50 || !(e instanceof ListenError)) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Entry point for Deno Deploy (or any host that takes `export default { fetch }`): the same cloud
 * app as edge/main.ts, against a remote libSQL database (Turso) over HTTP, configured from the
 * environment:
 *   HEARTH_DATABASE_URL     libsql://… or https://…   (required)
 *   HEARTH_DATABASE_TOKEN   its auth token              (required)
 *   HEARTH_ZONE             e.g. hearth.example          (default hearth.localhost)
 *   HEARTH_ID_ORIGIN        IdCloud's origin for links in mail (default https://id.<zone>)
 * Mail (edge/mail/env.ts): the outbox is delivered by `Deno.cron` every minute through
 *   HEARTH_MAIL_TRANSPORT   http | smtp | file (unset: no delivery, mail waits in the outbox)
 *   HEARTH_MAIL_FROM        the sender (default Hearth <no-reply@<zone>>)
 *   http:  HEARTH_MAIL_HTTP_URL, HEARTH_MAIL_HTTP_TOKEN  (a JSON mail API; Deploy blocks SMTP ports)
 *   smtp:  HEARTH_SMTP_HOST, HEARTH_SMTP_PORT (587), HEARTH_SMTP_SECURE (port 465: true),
 *          HEARTH_SMTP_REQUIRE_TLS (true), HEARTH_SMTP_USER, HEARTH_SMTP_PASSWORD
 *   file:  HEARTH_MAIL_DIR (other Deno hosts only: Deploy has no writable disk)
 * TLS is the platform's. Background jobs (edge/jobs.ts: sweeping dead relays, rotating the OIDC
 * signing keys, delivering mail) run with `Deno.cron`. The variables are read and checked by
 * edge/deploy_env.ts (`deno run -A edge/main.ts check-config --deploy-env` checks them before a
 * deployment); deploy/README.md walks through a deployment.
 */
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { createLogger } from "../shared/log/mod.ts";
import { openDatabase } from "../platform/db.ts";
import { createCloudApp } from "./app.ts";
import { createTransport } from "./mail/mod.ts";
import { cloudJobs, scheduleJobsWithCron } from "./jobs.ts";
import { readDeployEnv } from "./deploy_env.ts";

// Read before anything starts, so a bad setting stops the deployment with one sentence.
const { databaseUrl, databaseToken, zone, idOrigin, mail } = readDeployEnv((name) => Deno.env.get(name));

const log = createLogger({ format: "json", fields: { proc: "cloud" }, sink: (line) => console.log(line) });
const db = await openDatabase(databaseUrl, {
  schema: cloudSchema,
  migrationsFolder: new URL("../migrations/cloud", import.meta.url).pathname,
  authToken: databaseToken,
  httpOnly: true,
});
const deps = { db, log, zone, now: Date.now, id: { origin: idOrigin } };
const app = createCloudApp(deps);

if (!mail.transport) log.warn("HEARTH_MAIL_TRANSPORT is not set: mail stays in the outbox until it is");
const mailJob = mail.transport
  ? { transport: createTransport(mail.transport, { log, defaultDir: "mail" }), from: mail.from }
  : undefined;
if (!scheduleJobsWithCron(cloudJobs(deps, mailJob), log)) {
  log.warn(
    "this runtime has no Deno.cron: no background jobs run (sweeps, key rotation, mail); run edge/main.ts",
  );
}

export default { fetch: app.fetch };

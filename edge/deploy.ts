/**
 * Entry point for Deno Deploy (or any host that takes `export default { fetch }`): the same cloud
 * app as edge/main.ts, against a remote libSQL database (Turso) over HTTP, configured from the
 * environment:
 *   HEARTH_DATABASE_URL     libsql://… or https://…   (required)
 *   HEARTH_DATABASE_TOKEN   its auth token              (required)
 *   HEARTH_ZONE             e.g. hearth.example          (default hearth.localhost)
 * TLS is the platform's. Dead relays are swept on each relay listing and by `Deno.cron` below.
 */
import * as cloudSchema from "../shared/db/cloud/schema.ts";
import { createLogger } from "../shared/log/mod.ts";
import { openDatabase } from "../platform/db.ts";
import { createCloudApp } from "./app.ts";
import { sweepDeadRelays } from "./reg/liveness.ts";

const url = Deno.env.get("HEARTH_DATABASE_URL");
const authToken = Deno.env.get("HEARTH_DATABASE_TOKEN");
if (!url || !authToken) throw new Error("Set HEARTH_DATABASE_URL and HEARTH_DATABASE_TOKEN");

const log = createLogger({ format: "json", fields: { proc: "cloud" }, sink: (line) => console.log(line) });
const db = await openDatabase(url, {
  schema: cloudSchema,
  migrationsFolder: new URL("../migrations/cloud", import.meta.url).pathname,
  authToken,
  httpOnly: true,
});
const deps = { db, log, zone: Deno.env.get("HEARTH_ZONE") ?? "hearth.localhost", now: Date.now };
const app = createCloudApp(deps);

if (typeof Deno.cron === "function") {
  Deno.cron("sweep dead relays", "* * * * *", () => sweepDeadRelays(deps).then(() => {}));
}

export default { fetch: app.fetch };

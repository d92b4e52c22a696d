/**
 * The Deno Deploy entry's settings, read from the environment in one place: by edge/deploy.ts at
 * cold start, and by `edge/main.ts check-config --deploy-env` on the operator's machine before a
 * deployment, so both say the same sentence about a bad value. The variables are listed in
 * edge/deploy.ts and deploy/README.md.
 */
import { ConfigError, fields } from "../platform/config.ts";
import { chooseDriver } from "../shared/db/mod.ts";
import { mailConfigFromEnv, type MailEnv } from "./mail/env.ts";

export interface DeployEnv {
  databaseUrl: string;
  databaseToken: string;
  zone: string;
  idOrigin: string;
  mail: MailEnv;
}

/** Reads and checks the variables through `get` (e.g. `(k) => Deno.env.get(k)`); throws one sentence. */
export function readDeployEnv(get: (name: string) => string | undefined): DeployEnv {
  const env = (name: string) => get(name)?.trim() || undefined;
  const databaseUrl = env("HEARTH_DATABASE_URL");
  const databaseToken = env("HEARTH_DATABASE_TOKEN");
  if (!databaseUrl || !databaseToken) {
    throw new ConfigError("Set HEARTH_DATABASE_URL and HEARTH_DATABASE_TOKEN");
  }
  // Deploy has only HTTP: a file or WebSocket URL is refused here, not at the first query.
  chooseDriver(databaseUrl, { authToken: databaseToken, httpOnly: true });
  const zone = env("HEARTH_ZONE") ?? "hearth.localhost";
  if (!fields.dnsName.safeParse(zone).success) {
    throw new ConfigError(`HEARTH_ZONE is "${zone}": expected a lower-case DNS name`);
  }
  const idOrigin = (env("HEARTH_ID_ORIGIN") ?? `https://id.${zone}`).replace(/\/$/, "");
  if (!fields.httpsUrl.safeParse(idOrigin).success) {
    throw new ConfigError(`HEARTH_ID_ORIGIN is "${idOrigin}": expected an https:// URL`);
  }
  return { databaseUrl, databaseToken, zone, idOrigin, mail: mailConfigFromEnv(get, { zone }) };
}

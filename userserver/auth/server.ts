/** Builds the user server's sign-in from its data directory: client id = server id, server key, dev CA. */
import { readFileSync } from "node:fs";
import type { Database } from "../../platform/db.ts";
import { ensureServerKey, loadRegistration } from "../../platform/secrets.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type * as schema from "../../shared/db/userserver/schema.ts";
import { type Auth, createAuth, issuerFor } from "./rp.tsx";

export interface ServerAuthOptions {
  dataDir: string;
  zone: string;
  publicOrigin: string;
  /** The cloud tier's address (token requests go straight there, never through a relay). */
  cloudUrl: string;
  caFile?: string;
  /** See AuthOptions.sessionCheckSeconds. */
  sessionCheckSeconds?: number;
  log: Logger;
  db: Database<typeof schema>;
}

export async function createServerAuth(o: ServerAuthOptions): Promise<Auth> {
  const registration = loadRegistration(o.dataDir);
  const serverKey = registration ? (await ensureServerKey(o.dataDir)).keys.privateKey : null;
  const issuer = issuerFor({ zone: o.zone, cloudUrl: o.cloudUrl });
  if (!registration) o.log.warn("not registered yet: sign-in is unavailable until the server is registered");
  return createAuth({
    db: o.db,
    log: o.log.child({ module: "auth" }),
    publicOrigin: o.publicOrigin,
    issuer,
    clientId: registration?.serverId ?? null,
    serverKey,
    cloudUrl: o.cloudUrl,
    caPem: o.caFile ? readFileSync(o.caFile, "utf8") : undefined,
    sessionCheckSeconds: o.sessionCheckSeconds,
  });
}

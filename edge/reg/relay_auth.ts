/**
 * Relays authenticate to RegCloud with their own bearer credential `<relayId>.<secret>`; the
 * cloud DB keeps only SHA-256(secret). Each relay has its own, so one relay's credential cannot
 * act for another (e.g. verify a nonce issued for relay B).
 */
import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { relays } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import { credentialAuth } from "./credential_auth.ts";

export type RelayAuthEnv = { Variables: { relayId: string } };

export function relayAuth(deps: CloudDeps): MiddlewareHandler<RelayAuthEnv> {
  return credentialAuth({
    what: "Relay",
    hashOf: async (id) =>
      (await deps.db.orm.select({ hash: relays.credentialHash }).from(relays).where(eq(relays.id, id)))[0]
        ?.hash,
    admit: (c, id) => c.set("relayId", id),
  });
}

/**
 * Relays authenticate to RegCloud with their own bearer credential `<relayId>.<secret>`; the
 * cloud DB keeps only SHA-256(secret). Each relay has its own, so one relay's credential cannot
 * act for another (e.g. verify a nonce issued for relay B).
 */
import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { relays } from "../../shared/db/cloud/schema.ts";
import { constantTimeEqual, sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";

export type RelayAuthEnv = { Variables: { relayId: string } };

export function relayAuth(deps: CloudDeps) {
  return createMiddleware<RelayAuthEnv>(async function relayAuth(c, next) {
    const header = c.req.header("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const dot = token.indexOf(".");
    if (dot < 1) {
      throw new HTTPException(401, {
        message: "Relay credential missing (Authorization: Bearer <id>.<secret>)",
      });
    }
    const relayId = token.slice(0, dot);
    const row = await deps.db.orm.select({ hash: relays.credentialHash }).from(relays).where(
      eq(relays.id, relayId),
    );
    const hash = await sha256Hex(token.slice(dot + 1));
    if (!row[0] || !constantTimeEqual(row[0].hash, hash)) {
      throw new HTTPException(401, { message: "Relay credential is not valid" });
    }
    c.set("relayId", relayId);
    await next();
  });
}

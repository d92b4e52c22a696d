/**
 * Tunnel attach (ARCHITECTURE.md §3): a booting user server gets the alive relays, each with a
 * one-time nonce bound to (server, relay) and valid for 60 s; a relay then asks us to verify the
 * hello it received. The nonce is burned by one UPDATE … RETURNING whether or not the rest
 * checks out; TOTP must be within ±1 step. Failures count toward bans per server and per relay.
 */
import { and, eq, isNull } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { attachNonces, servers } from "../../shared/db/cloud/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { ATTACH_FAILURES, banRemaining, recordFailure } from "../throttle.ts";
import { aliveRelays } from "./liveness.ts";

export const NONCE_TTL_MS = 60_000;

export type { RelayOffer } from "../../shared/tunnel/offer.ts";
import type { RelayOffer } from "../../shared/tunnel/offer.ts";

/** Alive relays, least loaded first, each with a fresh nonce for this server. */
export async function offerRelays(deps: CloudDeps, serverId: string, max = 8): Promise<RelayOffer[]> {
  const alive = (await aliveRelays(deps)).slice(0, max);
  const expiresAt = deps.now() + NONCE_TTL_MS;
  const offers = alive.map((r) => ({
    relayId: r.id,
    hostName: r.hostName,
    tunnelAddress: r.tunnelAddress,
    nonce: randomToken(24),
    expiresAt,
  }));
  if (offers.length) {
    await deps.db.write(() =>
      deps.db.orm.insert(attachNonces).values(
        offers.map((o) => ({ nonce: o.nonce, serverId, relayId: o.relayId, expiresAt })),
      )
    );
  }
  return offers;
}

export type AttachResult =
  | { ok: true; serverId: string; serverName: string }
  | {
    ok: false;
    status: 403 | 429;
    code: "attach_refused" | "throttled";
    message: string;
    retryAfterMs?: number;
  };

export interface AttachRequest {
  serverId: string;
  nonce: string;
  totp: string;
}

export async function verifyAttach(
  deps: CloudDeps,
  relayId: string,
  req: AttachRequest,
): Promise<AttachResult> {
  const keys = [`attach:server:${req.serverId}`, `attach:relay:${relayId}`];
  for (const key of keys) {
    const wait = await banRemaining(deps, key);
    if (wait > 0) {
      return {
        ok: false,
        status: 429,
        code: "throttled",
        message: `Too many failed attaches; retry in ${Math.ceil(wait / 1000)} s`,
        retryAfterMs: wait,
      };
    }
  }
  const reason = await checkAttach(deps, relayId, req);
  if (typeof reason === "string") {
    for (const key of keys) await recordFailure(deps, key, ATTACH_FAILURES);
    deps.log.warn("attach refused", { relayId, serverId: req.serverId, reason });
    return { ok: false, status: 403, code: "attach_refused", message: reason };
  }
  return { ok: true, serverId: req.serverId, serverName: reason.name };
}

async function checkAttach(
  deps: CloudDeps,
  relayId: string,
  req: AttachRequest,
): Promise<string | { name: string }> {
  const now = deps.now();
  const burned = await deps.db.write(() =>
    deps.db.orm.update(attachNonces).set({ usedAt: now })
      .where(and(eq(attachNonces.nonce, req.nonce), isNull(attachNonces.usedAt)))
      .returning()
  );
  const nonce = burned[0];
  if (!nonce) {
    const known = await deps.db.orm.select({ n: attachNonces.nonce }).from(attachNonces).where(
      eq(attachNonces.nonce, req.nonce),
    );
    return known.length ? "Nonce was already used" : "Nonce is unknown";
  }
  if (nonce.relayId !== relayId) return "Nonce was issued for another relay";
  if (nonce.serverId !== req.serverId) return "Nonce was issued for another server";
  if (nonce.expiresAt < now) return "Nonce has expired";
  const server = (await deps.db.orm.select().from(servers).where(eq(servers.id, req.serverId)))[0];
  if (!server) return "Server is not registered";
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(server.totpSecret),
    digits: 6,
    period: 30,
  });
  if (totp.validate({ token: req.totp, timestamp: now, window: 1 }) === null) {
    return "TOTP code is not valid now";
  }
  return { name: server.name };
}

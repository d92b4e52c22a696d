/**
 * Registration of a user server by its owner (ARCHITECTURE.md §3, step 0): a signed-in account
 * claims a name and gets a one-time registration token (`hrt_<id>.<secret>`, 24 h, only
 * SHA-256(secret) stored); the user server then calls `POST /reg/v1/register` directly with the
 * token, its server key (public JWK) and a certificate request. RegCloud burns the token, creates
 * (or, for the same account, re-keys) the server, and signs the request with the cloud's issuing
 * CA: a certificate built from the registered name only (`<name>.<zone>`, `local.<name>.<zone>`,
 * CN = the first, plus the loopback address when asked), whatever else the request says.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { registrationTokens, relays, servers } from "../../shared/db/cloud/schema.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import { checkUserName, NameError } from "../../shared/names.ts";
import { issueForNames, PkiError } from "../../shared/pki/mod.ts";
import type { CloudDeps } from "../deps.ts";

export const REGISTRATION_TOKEN_TTL_MS = 24 * 3600_000;
/**
 * Addresses a user server's certificate may carry, when its request asks: the local listener is
 * reached by address too (the set-up's health poll, `https://127.0.0.1:<port>`), and a loopback
 * address names only the machine that dials it, so it grants nothing over another server.
 */
export const LOCAL_IPS = ["127.0.0.1", "::1"];

export class RegistrationError extends Error {
  override name = "RegistrationError";
  constructor(message: string, readonly status: 400 | 401 | 403 | 409 | 503 = 400, options?: ErrorOptions) {
    super(message, options);
  }
}

async function relayNames(deps: CloudDeps): Promise<string[]> {
  return (await deps.db.orm.select({ host: relays.hostName }).from(relays)).map((r) => r.host.split(".")[0]);
}

export interface ClaimedName {
  name: string;
  token: string;
  expiresAt: number;
}

/**
 * Claims `rawName` for the account and returns a fresh one-time registration token. The name
 * must be free: no server of another account has it, and no other account holds a live token.
 * Claiming again (a reinstall) revokes the account's earlier unused tokens for the name.
 */
export async function claimName(deps: CloudDeps, accountId: string, rawName: string): Promise<ClaimedName> {
  let name: string;
  try {
    name = checkUserName(rawName.trim().toLowerCase(), { relayNames: await relayNames(deps) });
  } catch (err) {
    if (err instanceof NameError) throw new RegistrationError(err.message, 400, { cause: err });
    throw err;
  }
  const now = deps.now();
  const server = (await deps.db.orm.select().from(servers).where(eq(servers.name, name)))[0];
  if (server && server.accountId !== accountId) throw new RegistrationError(`Name "${name}" is taken`, 409);
  const held = await deps.db.orm.select({ accountId: registrationTokens.accountId }).from(registrationTokens)
    .where(and(
      eq(registrationTokens.name, name),
      isNull(registrationTokens.usedAt),
      gt(registrationTokens.expiresAt, now),
    ));
  if (held.some((h) => h.accountId !== accountId)) {
    throw new RegistrationError(`Name "${name}" is taken`, 409);
  }
  // One server per account for now: a second name would be a second server.
  const other = await deps.db.orm.select({ name: servers.name }).from(servers).where(
    eq(servers.accountId, accountId),
  );
  if (other.some((o) => o.name !== name)) {
    throw new RegistrationError(`This account already has a server named "${other[0].name}"`, 409);
  }
  const id = randomToken(12);
  const secret = randomToken(32);
  const secretHash = await sha256Hex(secret);
  const expiresAt = now + REGISTRATION_TOKEN_TTL_MS;
  await deps.db.write(() =>
    deps.db.orm.batch([
      deps.db.orm.update(registrationTokens).set({ usedAt: now }).where(and(
        eq(registrationTokens.accountId, accountId),
        eq(registrationTokens.name, name),
        isNull(registrationTokens.usedAt),
      )),
      deps.db.orm.insert(registrationTokens).values({ id, accountId, name, secretHash, expiresAt }),
    ])
  );
  return { name, token: `hrt_${id}.${secret}`, expiresAt };
}

export interface AccountServers {
  servers: {
    id: string;
    name: string;
    createdAt: number;
    state: "active" | "suspended" | "deregistered";
    stateReason: string | null;
  }[];
  pending: { name: string; expiresAt: number }[];
}

export async function accountServers(deps: CloudDeps, accountId: string): Promise<AccountServers> {
  const rows = await deps.db.orm.select({
    id: servers.id,
    name: servers.name,
    createdAt: servers.createdAt,
    state: servers.state,
    stateReason: servers.stateReason,
  })
    .from(servers).where(eq(servers.accountId, accountId));
  const pending = await deps.db.orm.select({
    name: registrationTokens.name,
    expiresAt: registrationTokens.expiresAt,
  })
    .from(registrationTokens).where(and(
      eq(registrationTokens.accountId, accountId),
      isNull(registrationTokens.usedAt),
      gt(registrationTokens.expiresAt, deps.now()),
    ));
  return { servers: rows, pending };
}

export interface RegisterRequest {
  token: string;
  /** The server key's public half (ECDSA P-256 JWK): verifies its signed requests from now on. */
  publicJwk: JsonWebKey;
  /** PKCS#10 PEM for the TLS key. */
  csr: string;
}

export interface RegisterResponse {
  serverId: string;
  name: string;
  zone: string;
  totpSecret: string;
  /** The leaf certificate followed by the issuing CA's (the chain a TLS server sends). */
  certificate: string;
}

/** Burns the token, creates or re-keys the server, and issues its certificate. */
export async function registerServer(deps: CloudDeps, req: RegisterRequest): Promise<RegisterResponse> {
  const issuer = deps.id?.issuer;
  if (!issuer) {
    throw new RegistrationError("Registration is not available: this cloud has no issuing CA", 503);
  }
  const m = typeof req.token === "string"
    ? /^hrt_([A-Za-z0-9_-]{8,40})\.([A-Za-z0-9_-]{20,80})$/.exec(req.token)
    : null;
  if (!m) throw new RegistrationError("Registration token is malformed", 401);
  const jwk = req.publicJwk;
  if (
    !jwk || jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.x !== "string" ||
    typeof jwk.y !== "string" ||
    "d" in jwk
  ) {
    throw new RegistrationError("Server key must be the public half of an ECDSA P-256 key (JWK)");
  }
  const row = (await deps.db.orm.select().from(registrationTokens).where(eq(registrationTokens.id, m[1])))[0];
  const now = deps.now();
  if (!row || !constantTimeEqual(await sha256Hex(m[2]), row.secretHash)) {
    throw new RegistrationError("Registration token is not valid", 401);
  }
  if (row.usedAt != null) throw new RegistrationError("Registration token was already used", 401);
  if (row.expiresAt <= now) throw new RegistrationError("Registration token has expired", 401);
  const publicName = `${row.name}.${deps.zone}`;
  let certificate: string;
  try {
    // Built from the registered name only: the request proves the key, its subject is ignored.
    certificate = await issueForNames(String(req.csr ?? ""), issuer, [publicName, `local.${publicName}`], {
      optionalIps: LOCAL_IPS,
    });
  } catch (err) {
    if (err instanceof PkiError) throw new RegistrationError(err.message, 400, { cause: err });
    throw err;
  }
  const burned = await deps.db.write(() =>
    deps.db.orm.update(registrationTokens).set({ usedAt: now })
      .where(and(eq(registrationTokens.id, row.id), isNull(registrationTokens.usedAt)))
      .returning({ id: registrationTokens.id })
  );
  if (!burned.length) throw new RegistrationError("Registration token was already used", 401);

  const publicKeyJwk = JSON.stringify({ kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y });
  const totpSecret = new OTPAuth.Secret({ size: 20 }).base32;
  const existing = (await deps.db.orm.select().from(servers).where(eq(servers.name, row.name)))[0];
  let serverId: string;
  if (existing) {
    if (existing.accountId !== row.accountId) throw new RegistrationError(`Name "${row.name}" is taken`, 409);
    // A reinstall: same server id, new key and TOTP secret (the old key stops working).
    serverId = existing.id;
    await deps.db.write(() =>
      deps.db.orm.update(servers).set({ publicKeyJwk, totpSecret }).where(eq(servers.id, serverId))
    );
  } else {
    serverId = `srv_${randomToken(12)}`;
    try {
      await deps.db.write(() =>
        deps.db.orm.insert(servers).values({
          id: serverId,
          name: row.name,
          publicKeyJwk,
          totpSecret,
          accountId: row.accountId,
          createdAt: now,
        })
      );
    } catch (err) {
      throw new RegistrationError(`Name "${row.name}" is taken`, 409, { cause: err });
    }
  }
  await deps.db.write(() =>
    deps.db.orm.update(registrationTokens).set({ serverId }).where(eq(registrationTokens.id, row.id))
  );
  deps.log.info("user server registered", { serverId, name: row.name, accountId: row.accountId });
  return {
    serverId,
    name: row.name,
    zone: deps.zone,
    totpSecret,
    certificate: certificate.trim() + "\n" + issuer.certPem.trim() + "\n",
  };
}

/** Counts live tokens (tests). */
export async function liveTokenCount(deps: CloudDeps, accountId: string): Promise<number> {
  const rows = await deps.db.orm.select({ n: sql<number>`count(*)` }).from(registrationTokens).where(and(
    eq(registrationTokens.accountId, accountId),
    isNull(registrationTokens.usedAt),
    gt(registrationTokens.expiresAt, deps.now()),
  ));
  return Number(rows[0]?.n ?? 0);
}

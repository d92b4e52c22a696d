/**
 * Operator actions on the cloud DB (run by `edge/main.ts add-relay | add-server`, and by the dev
 * set-up): register a relay with the hash of its credential, register a user server under a
 * name with its public key and a fresh TOTP secret. Both are idempotent for the same inputs.
 */
import { eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { relays, servers } from "../../shared/db/cloud/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import { checkUserName } from "../../shared/names.ts";
import type { CloudDeps } from "../deps.ts";

export class AdminError extends Error {
  override name = "AdminError";
}

export interface RelayRegistration {
  id: string;
  hostName: string;
  tunnelAddress: string;
  browserAddresses: string[];
  browserPort: number;
  credentialHash: string;
}

export async function addRelay(deps: CloudDeps, r: RelayRegistration): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(r.credentialHash)) {
    throw new AdminError(`Credential hash "${r.credentialHash}" is not a SHA-256 hex digest`);
  }
  const row = {
    hostName: r.hostName,
    tunnelAddress: r.tunnelAddress,
    browserAddresses: JSON.stringify(r.browserAddresses),
    browserPort: r.browserPort,
    credentialHash: r.credentialHash,
  };
  await deps.db.write(() =>
    deps.db.orm.insert(relays).values({ id: r.id, ...row, createdAt: deps.now() })
      .onConflictDoUpdate({ target: relays.id, set: row })
  );
}

export interface ServerRegistration {
  serverId: string;
  name: string;
  totpSecret: string;
}

/** Registers `name` for the holder of `publicJwk`; the same key asking again gets the same answer. */
export async function addServer(
  deps: CloudDeps,
  inputName: string,
  publicJwk: JsonWebKey,
): Promise<ServerRegistration> {
  const relayNames = (await deps.db.orm.select({ host: relays.hostName }).from(relays)).map((r) =>
    r.host.split(".")[0]
  );
  const name = checkUserName(inputName, { relayNames });
  if (
    publicJwk.kty !== "EC" || publicJwk.crv !== "P-256" || !publicJwk.x || !publicJwk.y || "d" in publicJwk
  ) {
    throw new AdminError("Server key must be the public half of an ECDSA P-256 key (JWK)");
  }
  const jwk = JSON.stringify({ kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y });
  const existing = (await deps.db.orm.select().from(servers).where(eq(servers.name, name)))[0];
  if (existing) {
    if (existing.publicKeyJwk !== jwk) throw new AdminError(`Name "${name}" is already taken`);
    return { serverId: existing.id, name, totpSecret: existing.totpSecret };
  }
  const reg = {
    serverId: `srv_${randomToken(12)}`,
    name,
    totpSecret: new OTPAuth.Secret({ size: 20 }).base32,
  };
  await deps.db.write(() =>
    deps.db.orm.insert(servers).values({
      id: reg.serverId,
      name,
      publicKeyJwk: jwk,
      totpSecret: reg.totpSecret,
      createdAt: deps.now(),
    })
  );
  return reg;
}

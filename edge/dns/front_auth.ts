/**
 * DNS fronts authenticate to RegCloud with their own bearer credential `<frontId>.<secret>`
 * (created by the front's `init`, registered with `edge/main.ts add-dns-front`); the cloud DB
 * keeps only SHA-256(secret). A front's credential is good for the snapshot endpoint only.
 */
import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { credentialAuth } from "../reg/credential_auth.ts";
import { dnsFronts } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export type FrontAuthEnv = { Variables: { frontId: string } };

export class DnsAdminError extends Error {
  override name = "DnsAdminError";
}

export function frontAuth(deps: CloudDeps): MiddlewareHandler<FrontAuthEnv> {
  return credentialAuth({
    what: "DNS front",
    hashOf: async (id) =>
      (await deps.db.orm.select({ hash: dnsFronts.credentialHash }).from(dnsFronts).where(
        eq(dnsFronts.id, id),
      ))[0]
        ?.hash,
    admit: (c, id) => c.set("frontId", id),
  });
}

export interface DnsFrontRegistration {
  id: string;
  hostName: string;
  addresses: string[];
  credentialHash: string;
}

/** Registers (or updates) a DNS front; idempotent. */
export async function addDnsFront(deps: CloudDeps, f: DnsFrontRegistration): Promise<void> {
  if (!/^[a-z0-9-]{1,32}$/.test(f.id)) {
    throw new DnsAdminError(`DNS front id "${f.id}" must be 1 to 32 lower-case letters, digits or dashes`);
  }
  if (!/^[0-9a-f]{64}$/.test(f.credentialHash)) {
    throw new DnsAdminError(`Credential hash "${f.credentialHash}" is not a SHA-256 hex digest`);
  }
  if (f.hostName !== deps.zone && !f.hostName.endsWith(`.${deps.zone}`)) {
    throw new DnsAdminError(`Host name "${f.hostName}" is not in the zone "${deps.zone}"`);
  }
  for (const a of f.addresses) {
    if (!/^[0-9.]+$/.test(a) && !a.includes(":")) {
      throw new DnsAdminError(`Address "${a}" is not an IP address`);
    }
  }
  const row = {
    hostName: f.hostName,
    addresses: JSON.stringify(f.addresses),
    credentialHash: f.credentialHash,
  };
  await deps.db.write(() =>
    deps.db.orm.insert(dnsFronts).values({ id: f.id, ...row, createdAt: deps.now() })
      .onConflictDoUpdate({ target: dnsFronts.id, set: row })
  );
}

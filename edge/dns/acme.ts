/**
 * ACME DNS-01 challenge values, set and cleared by a user server for its own names only:
 * `_acme-challenge.<name>.<zone>` and `_acme-challenge.local.<name>.<zone>`. Several values may
 * exist at once (ACME asks for one per authorization); each expires after `ttlMs` if not cleared.
 */
import { and, eq, lte } from "drizzle-orm";
import { acmeChallenges } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export const ACME_PREFIX = "_acme-challenge.";
export const MAX_VALUES_PER_NAME = 8;
export const DEFAULT_CHALLENGE_TTL_MS = 60 * 60 * 1000;

export class AcmeError extends Error {
  override name = "AcmeError";
  constructor(message: string, readonly status: 400 | 403 | 409) {
    super(message);
  }
}

/** The owner name (`alice.<zone>` or `local.alice.<zone>`) a TXT name stands for, if `serverName` may set it. */
export function challengeOwner(zone: string, serverName: string, txtName: string): string {
  const name = txtName.toLowerCase().replace(/\.$/, "");
  const allowed = [`${serverName}.${zone}`, `local.${serverName}.${zone}`];
  const owner = name.startsWith(ACME_PREFIX) ? name.slice(ACME_PREFIX.length) : "";
  if (!allowed.includes(owner)) {
    throw new AcmeError(
      `Server "${serverName}" may not set "${txtName}" (only ${
        allowed.map((a) => ACME_PREFIX + a).join(" and ")
      })`,
      403,
    );
  }
  return owner;
}

function checkValue(value: string): void {
  // DNS-01 values are base64url SHA-256 digests (43 characters); allow any printable ASCII ≤ 255.
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new AcmeError(`TXT value "${value.slice(0, 40)}" must be 1 to 255 printable ASCII characters`, 400);
  }
}

export async function setChallenge(
  deps: CloudDeps,
  server: { id: string; name: string },
  txtName: string,
  value: string,
  { ttlMs = DEFAULT_CHALLENGE_TTL_MS }: { ttlMs?: number } = {},
): Promise<{ name: string; values: string[] }> {
  const fqdn = challengeOwner(deps.zone, server.name, txtName);
  checkValue(value);
  const now = deps.now();
  await deps.db.write(async () => {
    await deps.db.orm.delete(acmeChallenges).where(lte(acmeChallenges.expiresAt, now));
    const existing = await deps.db.orm.select().from(acmeChallenges).where(eq(acmeChallenges.fqdn, fqdn));
    const same = existing.find((e) => e.value === value);
    if (same) {
      await deps.db.orm.update(acmeChallenges).set({ expiresAt: now + ttlMs }).where(
        eq(acmeChallenges.id, same.id),
      );
      return;
    }
    if (existing.length >= MAX_VALUES_PER_NAME) {
      throw new AcmeError(`"${txtName}" already has ${MAX_VALUES_PER_NAME} values: clear some first`, 409);
    }
    await deps.db.orm.insert(acmeChallenges).values({
      serverId: server.id,
      fqdn,
      value,
      createdAt: now,
      expiresAt: now + ttlMs,
    });
  });
  return { name: ACME_PREFIX + fqdn, values: await valuesOf(deps, fqdn) };
}

/** Removes one value, or every value of the name when `value` is omitted. */
export async function clearChallenge(
  deps: CloudDeps,
  server: { id: string; name: string },
  txtName: string,
  value?: string,
): Promise<{ name: string; values: string[] }> {
  const fqdn = challengeOwner(deps.zone, server.name, txtName);
  await deps.db.write(() =>
    deps.db.orm.delete(acmeChallenges).where(
      value === undefined
        ? eq(acmeChallenges.fqdn, fqdn)
        : and(eq(acmeChallenges.fqdn, fqdn), eq(acmeChallenges.value, value)),
    )
  );
  return { name: ACME_PREFIX + fqdn, values: await valuesOf(deps, fqdn) };
}

async function valuesOf(deps: CloudDeps, fqdn: string): Promise<string[]> {
  const rows = await deps.db.orm.select({ value: acmeChallenges.value, expiresAt: acmeChallenges.expiresAt })
    .from(acmeChallenges).where(eq(acmeChallenges.fqdn, fqdn));
  return rows.filter((r) => r.expiresAt > deps.now()).map((r) => r.value).sort();
}

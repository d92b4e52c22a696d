/**
 * IdCloud's signing keys: an RS256 key (the OpenID conformance suite requires it) and an ES256
 * key, each with a `kid` (its RFC 7638 thumbprint). The newest unretired key of an algorithm
 * signs. Rotation retires the current keys and creates new ones; a retired key stays in the JWKS
 * for `overlapMs`, so tokens signed before the rotation still verify until then, and not after.
 * Rotation runs on a schedule (`rotateKeysIfDue`, from edge/main.ts) and on the operator command
 * `rotate-keys`.
 */
import { and, desc, eq, gt, isNull, lte, or } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { oidcSigningKeys } from "../../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../../deps.ts";

export type SigningAlg = "RS256" | "ES256";
export const SIGNING_ALGS: SigningAlg[] = ["RS256", "ES256"];

/** Scheduled rotation: a key older than this is replaced. */
export const ROTATE_EVERY_MS = 30 * 24 * 3600_000;
/** How long a retired key still verifies (longer than any id_token lives, and any JWKS cache). */
export const OVERLAP_MS = 2 * 24 * 3600_000;

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  key: CryptoKey;
}

const imported = new Map<string, CryptoKey>();

async function createKey(alg: SigningAlg, now: number) {
  const pair = await generateKeyPair(
    alg,
    alg === "RS256" ? { modulusLength: 2048, extractable: true } : {
      extractable: true,
    },
  );
  const priv = await exportJWK(pair.privateKey);
  const pub = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return {
    kid,
    alg,
    privateJwk: JSON.stringify({ ...priv, kid, alg }),
    publicJwk: JSON.stringify({ ...pub, kid, alg, use: "sig" }),
    createdAt: now,
  };
}

/** The key that signs with `alg` now, created on first use. */
export async function currentSigningKey(deps: CloudDeps, alg: SigningAlg): Promise<SigningKey> {
  const find = async () =>
    (await deps.db.orm.select().from(oidcSigningKeys)
      .where(and(eq(oidcSigningKeys.alg, alg), isNull(oidcSigningKeys.retiredAt)))
      .orderBy(desc(oidcSigningKeys.createdAt)).limit(1))[0];
  let row = await find();
  if (!row) {
    const fresh = await createKey(alg, deps.now());
    await deps.db.write(() => deps.db.orm.insert(oidcSigningKeys).values(fresh).onConflictDoNothing());
    row = (await find())!;
  }
  let key = imported.get(row.kid);
  if (!key) {
    key = await importJWK(JSON.parse(row.privateJwk) as JWK, alg) as CryptoKey;
    imported.set(row.kid, key);
  }
  return { kid: row.kid, alg, key };
}

/** Public keys that verify now: current keys and retired ones still within their overlap. */
export async function publicJwks(deps: CloudDeps): Promise<{ keys: JWK[] }> {
  await Promise.all(SIGNING_ALGS.map((alg) => currentSigningKey(deps, alg)));
  const now = deps.now();
  const rows = await deps.db.orm.select({ jwk: oidcSigningKeys.publicJwk }).from(oidcSigningKeys)
    .where(or(isNull(oidcSigningKeys.expiresAt), gt(oidcSigningKeys.expiresAt, now)))
    .orderBy(desc(oidcSigningKeys.createdAt));
  return { keys: rows.map((r) => JSON.parse(r.jwk) as JWK) };
}

export interface RotationResult {
  created: { kid: string; alg: SigningAlg }[];
  retired: string[];
  /** When the retired keys stop verifying. */
  retiredUntil: number;
}

/** Retires every current key (kept for `overlapMs`), creates new ones, drops keys past their overlap. */
export async function rotateKeys(
  deps: CloudDeps,
  { overlapMs = OVERLAP_MS }: { overlapMs?: number } = {},
): Promise<RotationResult> {
  const now = deps.now();
  const fresh = await Promise.all(SIGNING_ALGS.map((alg) => createKey(alg, now)));
  const retired = await deps.db.write(async () => {
    const rows = await deps.db.orm.update(oidcSigningKeys)
      .set({ retiredAt: now, expiresAt: now + overlapMs })
      .where(isNull(oidcSigningKeys.retiredAt))
      .returning({ kid: oidcSigningKeys.kid });
    await deps.db.orm.insert(oidcSigningKeys).values(fresh);
    await deps.db.orm.delete(oidcSigningKeys).where(lte(oidcSigningKeys.expiresAt, now));
    return rows.map((r) => r.kid);
  });
  return {
    created: fresh.map((k) => ({ kid: k.kid, alg: k.alg })),
    retired,
    retiredUntil: now + overlapMs,
  };
}

/** Rotates when the current RS256 key is older than `everyMs` (or none exists); prunes expired keys. */
export async function rotateKeysIfDue(
  deps: CloudDeps,
  { everyMs = ROTATE_EVERY_MS, overlapMs = OVERLAP_MS }: { everyMs?: number; overlapMs?: number } = {},
): Promise<RotationResult | null> {
  const now = deps.now();
  const newest = (await deps.db.orm.select({ createdAt: oidcSigningKeys.createdAt }).from(oidcSigningKeys)
    .where(and(eq(oidcSigningKeys.alg, "RS256"), isNull(oidcSigningKeys.retiredAt)))
    .orderBy(desc(oidcSigningKeys.createdAt)).limit(1))[0];
  if (newest && now - newest.createdAt < everyMs) {
    await deps.db.write(() => deps.db.orm.delete(oidcSigningKeys).where(lte(oidcSigningKeys.expiresAt, now)));
    return null;
  }
  return await rotateKeys(deps, { overlapMs });
}

/**
 * Single-use token ids, kept in the cloud DB until their token expires so every edge instance
 * agrees: OIDC client assertions and server-signed RegCloud requests. Keys are namespaced by the
 * caller (`<what>:<issuer>:<jti>`).
 */
import { lte } from "drizzle-orm";
import { oidcAssertionJtis } from "../shared/db/cloud/schema.ts";
import type { CloudDeps } from "./deps.ts";

/** Remembers `key` until `expiresAtMs`; false when it is already remembered (a replay). */
export async function rememberJti(deps: CloudDeps, key: string, expiresAtMs: number): Promise<boolean> {
  const now = deps.now();
  const fresh = await deps.db.write(async () => {
    await deps.db.orm.delete(oidcAssertionJtis).where(lte(oidcAssertionJtis.expiresAt, now));
    return await deps.db.orm.insert(oidcAssertionJtis)
      .values({ key, expiresAt: expiresAtMs })
      .onConflictDoNothing().returning({ key: oidcAssertionJtis.key });
  });
  return fresh.length > 0;
}

/**
 * Operator commands for IdCloud, used by the dev set-up (`npm run dev` seeds alice):
 *   seed-account --email=alice@hearth.localhost  → { email, created, password? } (password only when created)
 *   registration-token --email=… --name=alice    → { name, token, expiresAt } (claims the name for that account)
 */
import { and, eq, isNull } from "drizzle-orm";
import { servers } from "../../shared/db/cloud/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { AccountError, createVerifiedAccount, findAccountByEmail } from "./accounts.ts";
import { type ClaimedName, claimName } from "./registration.ts";

export async function seedAccount(
  deps: CloudDeps,
  email: string,
): Promise<{ email: string; created: boolean; password?: string }> {
  const existing = await findAccountByEmail(deps, email);
  if (existing) return { email: existing.email, created: false };
  // 16 random bytes as base64url: 22 characters, easy to paste, 128 bits.
  const password = randomToken(16);
  const account = await createVerifiedAccount(deps, email, password);
  return { email: account.email, created: true, password };
}

export async function issueRegistrationToken(
  deps: CloudDeps,
  email: string,
  name: string,
): Promise<ClaimedName> {
  const account = await findAccountByEmail(deps, email);
  if (!account) throw new AccountError(`No account for "${email}"`);
  // A server the operator registered before accounts existed (no owner) is adopted by this account.
  await deps.db.write(() =>
    deps.db.orm.update(servers).set({ accountId: account.id })
      .where(and(eq(servers.name, name), isNull(servers.accountId)))
  );
  return await claimName(deps, account.id, name);
}

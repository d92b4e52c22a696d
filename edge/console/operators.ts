/**
 * The operator role: granted and revoked by an operator command on the cloud host
 * (`edge/main.ts grant-operator --email=…`), never self-service. Operators use the console
 * (edge/console/routes.tsx) with an IdCloud session that passed a second factor, and scripts use
 * operator tokens `hop_<id>.<secret>` (only SHA-256(secret) stored) that work while the role lasts.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { accounts, operatorTokens } from "../../shared/db/cloud/schema.ts";
import { randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type { CloudDeps } from "../deps.ts";
import { normalizeEmail } from "../id/accounts.ts";
import { COMMAND_LINE, recordAudit } from "./audit.ts";

export class OperatorError extends Error {
  override name = "OperatorError";
}

async function accountByEmail(deps: CloudDeps, email: string) {
  const normalized = normalizeEmail(email);
  const row = (await deps.db.orm.select().from(accounts).where(eq(accounts.email, normalized)))[0];
  if (!row) throw new OperatorError(`No account has the address "${normalized}"`);
  return row;
}

export async function grantOperator(
  deps: CloudDeps,
  email: string,
): Promise<{ email: string; since: number }> {
  const a = await accountByEmail(deps, email);
  if (a.operatorSince != null) return { email: a.email, since: a.operatorSince };
  const since = deps.now();
  await deps.db.write(() =>
    deps.db.orm.update(accounts).set({ operatorSince: since }).where(eq(accounts.id, a.id))
  );
  await recordAudit(deps, COMMAND_LINE, { action: "grant_operator", accountId: a.id, note: a.email });
  return { email: a.email, since };
}

export async function revokeOperator(deps: CloudDeps, email: string): Promise<{ email: string }> {
  const a = await accountByEmail(deps, email);
  await deps.db.write(() =>
    deps.db.client.batch([
      { sql: "update accounts set operator_since = null where id = ?", args: [a.id] },
      { sql: "delete from operator_tokens where account_id = ?", args: [a.id] },
    ], "write")
  );
  await recordAudit(deps, COMMAND_LINE, { action: "revoke_operator", accountId: a.id, note: a.email });
  return { email: a.email };
}

/** A new bearer token for an operator's scripts; shown once. */
export async function issueOperatorToken(deps: CloudDeps, email: string): Promise<{ token: string }> {
  const a = await accountByEmail(deps, email);
  if (a.operatorSince == null) {
    throw new OperatorError(`"${a.email}" is not an operator (grant-operator first)`);
  }
  const id = `hop_${randomToken(9)}`;
  const secret = randomToken(32);
  const secretHash = await sha256Hex(secret);
  await deps.db.write(() =>
    deps.db.orm.insert(operatorTokens).values({ id, accountId: a.id, secretHash, createdAt: deps.now() })
  );
  return { token: `${id}.${secret}` };
}

export interface Operator {
  accountId: string;
  email: string;
}

/** The operator an account is, or undefined when it has no operator role. */
export async function operatorOf(deps: CloudDeps, accountId: string): Promise<Operator | undefined> {
  const row = (await deps.db.orm.select({ id: accounts.id, email: accounts.email }).from(accounts)
    .where(and(eq(accounts.id, accountId), isNotNull(accounts.operatorSince))))[0];
  return row ? { accountId: row.id, email: row.email } : undefined;
}

/** The stored hash of an operator token's secret and its account, while the account is an operator. */
export async function operatorToken(deps: CloudDeps, id: string) {
  return (await deps.db.orm.select({
    hash: operatorTokens.secretHash,
    accountId: accounts.id,
    email: accounts.email,
  })
    .from(operatorTokens).innerJoin(accounts, eq(accounts.id, operatorTokens.accountId))
    .where(and(eq(operatorTokens.id, id), isNotNull(accounts.operatorSince))))[0];
}

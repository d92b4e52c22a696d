/** Test-only: accounts and signed-in IdCloud sessions straight in the DB, plus a browser that follows redirects by hand. */
import { accounts, idSessions } from "../../../shared/db/cloud/schema.ts";
import { randomToken, sha256Hex } from "../../../shared/crypto/mod.ts";
import type { CloudDeps } from "../../deps.ts";
import { SESSION_COOKIE } from "../session.ts";

export async function addAccount(deps: CloudDeps, email: string): Promise<string> {
  const id = `acc_${randomToken(9)}`;
  const now = deps.now();
  await deps.db.orm.insert(accounts).values({
    id,
    email,
    emailVerifiedAt: now,
    passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$unused$unused",
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/** A signed-in IdCloud session for the account: returns the Cookie header value. */
export async function signIn(deps: CloudDeps, accountId: string): Promise<string> {
  const id = randomToken(15);
  const secret = randomToken(32);
  const now = deps.now();
  await deps.db.orm.insert(idSessions).values({
    id,
    accountId,
    secretHash: await sha256Hex(secret),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 7 * 24 * 3600_000,
    authTime: now,
  });
  return `${SESSION_COOKIE}=${id}.${secret}`;
}

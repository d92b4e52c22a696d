/**
 * The audit log: every operator action, with who, what, when and why. The account it affected
 * reads its entries on its IdCloud account page (ARCHITECTURE.md invariant 11).
 */
import { desc, eq, lt } from "drizzle-orm";
import { auditLog } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";

export type AuditAction = typeof auditLog.$inferInsert.action;
export type AuditEntry = typeof auditLog.$inferSelect;

export interface Actor {
  accountId: string | null;
  email: string;
}

/** An operator command run on the cloud host rather than a signed-in operator. */
export const COMMAND_LINE: Actor = { accountId: null, email: "operator command line" };

export async function recordAudit(
  deps: CloudDeps,
  actor: Actor,
  entry: Omit<typeof auditLog.$inferInsert, "id" | "at" | "actorAccountId" | "actorEmail">,
): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.insert(auditLog).values({
      ...entry,
      at: deps.now(),
      actorAccountId: actor.accountId,
      actorEmail: actor.email,
    })
  );
}

/** What operators did to `accountId` (and its servers), newest first. */
export async function auditOf(deps: CloudDeps, accountId: string, limit = 50): Promise<AuditEntry[]> {
  return await deps.db.orm.select().from(auditLog).where(eq(auditLog.accountId, accountId))
    .orderBy(desc(auditLog.id)).limit(limit);
}

/** Every entry, newest first, `limit` per page from before the entry id `before`. */
export async function auditPage(
  deps: CloudDeps,
  { before, limit = 50 }: { before?: number; limit?: number } = {},
) {
  return await deps.db.orm.select().from(auditLog).where(before ? lt(auditLog.id, before) : undefined)
    .orderBy(desc(auditLog.id)).limit(limit);
}

/**
 * The delivery job: claims due outbox rows (a lease by pushing `next_attempt_at` forward in one
 * UPDATE … RETURNING, so two instances never send the same row at once), sends them, and marks
 * them sent, or schedules a retry with exponential backoff, or gives up after `MAX_ATTEMPTS`.
 * In dev a loop runs it every second; where deployed, `Deno.cron` does.
 */
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { mailOutbox } from "../../shared/db/cloud/schema.ts";
import type { CloudDeps } from "../deps.ts";
import type { MailTransport } from "./transport.ts";

export const MAX_ATTEMPTS = 8;
const LEASE_MS = 120_000;

/** Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 1 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(3600_000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

export async function deliverDue(
  deps: CloudDeps,
  transport: MailTransport,
  { from, batch = 20 }: { from: string; batch?: number },
): Promise<DeliveryResult> {
  const now = deps.now();
  const due = await deps.db.orm.select({ id: mailOutbox.id }).from(mailOutbox)
    .where(and(eq(mailOutbox.status, "pending"), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(mailOutbox.nextAttemptAt).limit(batch);
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
  if (!due.length) return result;
  const claimed = await deps.db.write(() =>
    deps.db.orm.update(mailOutbox)
      .set({ nextAttemptAt: now + LEASE_MS, attempts: sql`${mailOutbox.attempts} + 1` })
      .where(and(
        inArray(mailOutbox.id, due.map((d) => d.id)),
        eq(mailOutbox.status, "pending"),
        lte(mailOutbox.nextAttemptAt, now),
      ))
      .returning()
  );
  for (const row of claimed) {
    try {
      const headers = row.headers ? JSON.parse(row.headers) as Record<string, string> : undefined;
      await transport.send(from, { ...row, headers });
      await deps.db.write(() =>
        deps.db.orm.update(mailOutbox).set({ status: "sent", sentAt: deps.now(), lastError: null })
          .where(eq(mailOutbox.id, row.id))
      );
      result.sent++;
    } catch (err) {
      const message = (err as Error).message.slice(0, 500);
      const give = row.attempts >= MAX_ATTEMPTS;
      await deps.db.write(() =>
        deps.db.orm.update(mailOutbox).set({
          status: give ? "failed" : "pending",
          lastError: message,
          nextAttemptAt: deps.now() + retryDelayMs(row.attempts),
        }).where(eq(mailOutbox.id, row.id))
      );
      deps.log.warn(give ? "mail failed for good" : "mail delivery failed; will retry", {
        id: row.id,
        to: row.to,
        attempts: row.attempts,
        transport: transport.kind,
        error: message,
      });
      if (give) result.failed++;
      else result.retried++;
    }
  }
  return result;
}

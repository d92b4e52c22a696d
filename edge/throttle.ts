/**
 * Failure counting with temporary bans, kept in the cloud DB so every edge instance agrees
 * (the model is Authelia's regulation). One key per subject, e.g. `attach:server:<id>`.
 * Each call is a single statement, so concurrent instances cannot lose a count.
 */
import { sql } from "drizzle-orm";
import type { CloudDeps } from "./deps.ts";

export interface FailurePolicy {
  /** Failures within `windowMs` that trigger a ban. */
  maxFailures: number;
  windowMs: number;
  banMs: number;
}

export const ATTACH_FAILURES: FailurePolicy = { maxFailures: 5, windowMs: 5 * 60_000, banMs: 5 * 60_000 };

/** Milliseconds until `key`'s ban ends (0 when not banned). */
export async function banRemaining(deps: CloudDeps, key: string): Promise<number> {
  const now = deps.now();
  const rows = await deps.db.orm.all<{ banned_until: number }>(
    sql`select banned_until from throttles where key = ${key}`,
  );
  const until = Number(rows[0]?.banned_until ?? 0);
  return until > now ? until - now : 0;
}

/** Counts one failure for `key`; returns the ban's remaining ms if this failure started one. */
export async function recordFailure(deps: CloudDeps, key: string, policy: FailurePolicy): Promise<number> {
  const now = deps.now();
  const windowStart = now - policy.windowMs;
  const rows = await deps.db.write(() =>
    deps.db.orm.all<{ failures: number; banned_until: number }>(sql`
      insert into throttles (key, tokens, updated_at, failures, banned_until)
      values (${key}, 0, ${now}, 1, ${policy.maxFailures <= 1 ? now + policy.banMs : 0})
      on conflict (key) do update set
        failures = case when updated_at < ${windowStart} then 1 else failures + 1 end,
        banned_until = case
          when (case when updated_at < ${windowStart} then 1 else failures + 1 end) >= ${policy.maxFailures}
          then ${now + policy.banMs} else banned_until end,
        updated_at = ${now}
      returning failures, banned_until`)
  );
  const until = Number(rows[0]?.banned_until ?? 0);
  return until > now ? until - now : 0;
}

/** Clears `key`'s failures (after a success). */
export async function clearFailures(deps: CloudDeps, key: string): Promise<void> {
  await deps.db.write(() =>
    deps.db.orm.run(sql`delete from throttles where key = ${key} and banned_until <= ${deps.now()}`)
  );
}

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

export interface BucketPolicy {
  /** Burst size: a full bucket allows this many requests at once. */
  capacity: number;
  /** Tokens added back per minute. */
  refillPerMinute: number;
}

/** Token-bucket limits for IdCloud's forms, per client IP (`<kind>:ip:<addr>`) and per subject. */
export const LIMITS = {
  signup: { capacity: 5, refillPerMinute: 1 },
  login: { capacity: 20, refillPerMinute: 10 },
  totp: { capacity: 10, refillPerMinute: 5 },
  reset: { capacity: 5, refillPerMinute: 1 },
  mail: { capacity: 3, refillPerMinute: 0.2 },
  register: { capacity: 10, refillPerMinute: 2 },
  /** The OIDC token endpoint, per address and per authenticated client (a user server refreshes rarely). */
  token: { capacity: 30, refillPerMinute: 30 },
} satisfies Record<string, BucketPolicy>;

/** Failure bans for IdCloud: per account (password and TOTP) and per client IP. */
export const LOGIN_FAILURES_ACCOUNT: FailurePolicy = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  banMs: 15 * 60_000,
};
export const LOGIN_FAILURES_IP: FailurePolicy = {
  maxFailures: 30,
  windowMs: 15 * 60_000,
  banMs: 15 * 60_000,
};

/**
 * Second-factor failures (TOTP and recovery codes) per account, on their own key
 * (`fail:2fa:<account id>`): a correct password does not clear them, only a correct second factor,
 * so a thief holding the password gets no more guesses by signing in again.
 */
export const SECOND_FACTOR_FAILURES: FailurePolicy = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  banMs: 15 * 60_000,
};

/** The throttle key that counts an account's second-factor failures. */
export function secondFactorKey(accountId: string): string {
  return `fail:2fa:${accountId}`;
}

/**
 * Takes one token from `key`'s bucket (in the `bucket:` key space, apart from failure counts).
 * Returns 0 when allowed, else the ms until a token is back. One statement, so instances agree.
 */
export async function takeToken(deps: CloudDeps, key: string, policy: BucketPolicy): Promise<number> {
  const now = deps.now();
  const k = `bucket:${key}`;
  const perMs = policy.refillPerMinute / 60_000;
  const rows = await deps.db.write(() =>
    deps.db.orm.all<{ tokens: number }>(sql`
      insert into throttles (key, tokens, updated_at, failures, banned_until)
      values (${k}, ${policy.capacity - 1}, ${now}, 0, 0)
      on conflict (key) do update set
        tokens = min(${policy.capacity}, tokens + (${now} - updated_at) * ${perMs}) - 1,
        updated_at = ${now}
      where min(${policy.capacity}, tokens + (${now} - updated_at) * ${perMs}) >= 1
      returning tokens`)
  );
  if (rows.length) return 0;
  const cur = await deps.db.orm.all<{ tokens: number; updated_at: number }>(
    sql`select tokens, updated_at from throttles where key = ${k}`,
  );
  const have = Math.min(
    policy.capacity,
    Number(cur[0]?.tokens ?? 0) + (now - Number(cur[0]?.updated_at ?? now)) * perMs,
  );
  return perMs > 0 ? Math.max(1, Math.ceil((1 - have) / perMs)) : 3600_000;
}

/** The longest ban among `keys` (0 when none is banned). */
export async function longestBan(deps: CloudDeps, keys: string[]): Promise<number> {
  let wait = 0;
  for (const key of keys) wait = Math.max(wait, await banRemaining(deps, key));
  return wait;
}

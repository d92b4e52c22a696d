/**
 * App passwords: what a WebDAV client (Finder, Explorer, davfs2, rclone) signs in with, since
 * native clients cannot do OpenID Connect. Each is `<id>.<secret>` (96 + 256 random bits), shown
 * once; the DB keeps the secret's argon2id hash. A verified password is remembered (its SHA-256)
 * for a few minutes, so a client's hundreds of requests do not each pay for argon2id.
 *
 * Failures are counted per client address: after `MAX_FAILURES` in `WINDOW_MS`, that address gets
 * 429 and its guesses at unknown ids are refused unchecked. A real id is always checked, so nobody
 * sharing the address with an attacker is locked out.
 */
import { desc, eq } from "drizzle-orm";
import { appPasswords } from "../../shared/db/userserver/schema.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../shared/crypto/mod.ts";
import type { UserDb } from "../database/mod.ts";

export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;
const VERIFIED_TTL_MS = 10 * 60_000;
const MAX_LABEL = 80;

export interface AppPassword {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  lastUsedFrom: string | null;
}

export type Verdict =
  | { ok: true; id: string; label: string }
  | { ok: false; throttled: boolean };

export class AppPasswordError extends Error {
  override name = "AppPasswordError";
}

export class AppPasswords {
  /** id → SHA-256 of the secret and until when it is trusted without argon2id. */
  #verified = new Map<string, { digest: string; until: number; label: string }>();
  /** address → failure times in the window. */
  #failures = new Map<string, number[]>();

  constructor(private readonly db: UserDb, private readonly now: () => number = Date.now) {}

  /** A new app password; the whole secret is in the answer and nowhere else. */
  async create(rawLabel: string): Promise<{ id: string; password: string }> {
    const label = rawLabel.trim().slice(0, MAX_LABEL);
    if (!label) throw new AppPasswordError("Give the app password a name, such as the device it is for");
    const id = randomToken(12);
    const secret = randomToken(32);
    const hash = await Bun.password.hash(secret, { algorithm: "argon2id" });
    await this.db.write(() =>
      this.db.orm.insert(appPasswords).values({ id, label, hash, createdAt: this.now() })
    );
    return { id, password: `${id}.${secret}` };
  }

  async list(): Promise<AppPassword[]> {
    return (await this.db.orm.select().from(appPasswords).orderBy(desc(appPasswords.createdAt))).map((r) => ({
      id: r.id,
      label: r.label,
      createdAt: r.createdAt,
      lastUsedAt: r.lastUsedAt,
      lastUsedFrom: r.lastUsedFrom,
    }));
  }

  async revoke(id: string): Promise<boolean> {
    this.#verified.delete(id);
    const gone = await this.db.write(() =>
      this.db.orm.delete(appPasswords).where(eq(appPasswords.id, id)).returning({ id: appPasswords.id })
    );
    return gone.length > 0;
  }

  /** Checks `password` (as sent in Basic auth) from `address`. */
  async verify(password: string, address: string): Promise<Verdict> {
    const t = this.now();
    const dot = password.indexOf(".");
    const id = dot > 0 ? password.slice(0, dot) : "";
    const secret = dot > 0 ? password.slice(dot + 1) : "";
    const digest = await sha256Hex(secret);
    const known = this.#verified.get(id);
    if (known && known.until > t && constantTimeEqual(known.digest, digest)) {
      return { ok: true, id, label: known.label };
    }
    const row = id && secret.length <= 128
      ? (await this.db.orm.select().from(appPasswords).where(eq(appPasswords.id, id)))[0]
      : undefined;
    // A throttled address's guesses at unknown ids are refused at once; a real id is still checked,
    // so a device sharing the address with an attacker is never locked out (its id is as secret as
    // its password, and argon2id runs only for real ids).
    if (!row && this.#throttled(address, t)) return { ok: false, throttled: true };
    if (!row || !(await Bun.password.verify(secret, row.hash))) {
      this.#fail(address, t);
      return { ok: false, throttled: this.#throttled(address, t) };
    }
    this.#verified.set(id, { digest, until: t + VERIFIED_TTL_MS, label: row.label });
    await this.db.write(() =>
      this.db.orm.update(appPasswords).set({ lastUsedAt: t, lastUsedFrom: address }).where(
        eq(appPasswords.id, id),
      )
    );
    return { ok: true, id, label: row.label };
  }

  #throttled(address: string, t: number): boolean {
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > t - WINDOW_MS);
    this.#failures.set(address, recent);
    return recent.length >= MAX_FAILURES;
  }

  #fail(address: string, t: number): void {
    const list = this.#failures.get(address) ?? [];
    list.push(t);
    this.#failures.set(address, list);
    // Bound the map: an address's entry goes when its window has passed (checked on the next failure anywhere).
    if (this.#failures.size > 10_000) {
      for (const [a, times] of this.#failures) {
        if (!times.some((x) => x > t - WINDOW_MS)) this.#failures.delete(a);
      }
    }
  }
}

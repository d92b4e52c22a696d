/**
 * Local sessions: a browser on this machine proven to be the owner's (offline by `userserver open`,
 * online by IdCloud's challenge) gets a `__Host-hearth-local` cookie. Kept in memory only, so a
 * restart ends every local session (signing in again is one click, or `userserver open`); listed
 * and revocable in Settings. The token is stored only as its SHA-256.
 */
import { createHash } from "node:crypto";
import { randomToken } from "../../shared/crypto/mod.ts";

/** The cookie's name; set with hono's `prefix: "host"`, so the browser sees `__Host-hearth-local`. */
export const LOCAL_COOKIE_NAME = "hearth-local";
export const LOCAL_COOKIE = `__Host-${LOCAL_COOKIE_NAME}`;
/** A local session not used for this long ends (a renewed one lives on). */
export const LOCAL_IDLE_MS = 12 * 3600_000;

export interface LocalSession {
  id: string;
  /** How the browser proved itself. */
  how: "offline" | "online";
  /** The IdCloud account that confirmed it (online). */
  account?: string;
  userAgent: string;
  createdAt: number;
  lastSeenAt: number;
}

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export class LocalSessions {
  readonly #byHash = new Map<string, LocalSession>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session; answers the cookie's token (shown to no one else). */
  create(
    how: LocalSession["how"],
    userAgent: string,
    account?: string,
  ): { token: string; session: LocalSession } {
    const token = randomToken(32);
    const at = this.now();
    const session: LocalSession = {
      id: randomToken(9),
      how,
      account,
      userAgent: userAgent.slice(0, 200),
      createdAt: at,
      lastSeenAt: at,
    };
    this.#byHash.set(digest(token), session);
    return { token, session };
  }

  /** The live session of this token, renewed; undefined if unknown, revoked or idle too long. */
  get(token: string | undefined): LocalSession | undefined {
    if (!token || token.length > 100) return undefined;
    const key = digest(token);
    const s = this.#byHash.get(key);
    if (!s) return undefined;
    if (this.now() - s.lastSeenAt > LOCAL_IDLE_MS) {
      this.#byHash.delete(key);
      return undefined;
    }
    s.lastSeenAt = this.now();
    return s;
  }

  list(): LocalSession[] {
    return [...this.#byHash.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  revoke(id: string): boolean {
    for (const [key, s] of this.#byHash) {
      if (s.id === id) return this.#byHash.delete(key);
    }
    return false;
  }

  /** Ends the session of this token (sign out). */
  end(token: string | undefined): void {
    if (token) this.#byHash.delete(digest(token));
  }
}

/**
 * WebDAV locks (RFC 4918 §6–7), kept in memory: a lock lives at most its timeout and ends with the
 * server (clients refresh or lock again, as they do after any server restart). Paths are the
 * decoded `/a/b` form under `/dav` (the collection root is `/`). A depth-infinity lock on a folder
 * covers everything below it.
 */
export type LockScope = "exclusive" | "shared";

export interface Lock {
  token: string;
  path: string;
  scope: LockScope;
  depth: "0" | "infinity";
  /** The client's `<D:owner>` element's inner XML, returned in lockdiscovery. */
  ownerXml: string;
  timeoutS: number;
  expiresAt: number;
  /** Which app password (or "owner") took it: only it may unlock without the token list check. */
  principal: string;
}

export const DEFAULT_TIMEOUT_S = 3600;
export const MAX_TIMEOUT_S = 7 * 24 * 3600;

export class LockConflict extends Error {
  override name = "LockConflict";
}

const inside = (path: string, folder: string) =>
  folder === "/" || path === folder || path.startsWith(`${folder}/`);

export class Locks {
  #locks = new Map<string, Lock>();

  constructor(private readonly now: () => number = Date.now) {}

  #live(): Lock[] {
    const t = this.now();
    for (const [token, l] of this.#locks) if (l.expiresAt <= t) this.#locks.delete(token);
    return [...this.#locks.values()];
  }

  /** Locks on `path` itself or on a folder above it with depth infinity. */
  covering(path: string): Lock[] {
    return this.#live().filter((l) => l.path === path || (l.depth === "infinity" && inside(path, l.path)));
  }

  /** Locks strictly below `path`. */
  below(path: string): Lock[] {
    return this.#live().filter((l) => l.path !== path && inside(l.path, path));
  }

  get(token: string): Lock | undefined {
    return this.#live().find((l) => l.token === token);
  }

  lock(o: Omit<Lock, "token" | "expiresAt">): Lock {
    const others = [...this.covering(o.path), ...(o.depth === "infinity" ? this.below(o.path) : [])];
    if (others.some((l) => l.scope === "exclusive") || (o.scope === "exclusive" && others.length)) {
      throw new LockConflict(`${o.path} is locked`);
    }
    const lock: Lock = {
      ...o,
      token: `opaquelocktoken:${crypto.randomUUID()}`,
      expiresAt: this.now() + o.timeoutS * 1000,
    };
    this.#locks.set(lock.token, lock);
    return lock;
  }

  refresh(token: string, timeoutS: number): Lock | undefined {
    const l = this.get(token);
    if (!l) return undefined;
    l.timeoutS = timeoutS;
    l.expiresAt = this.now() + timeoutS * 1000;
    return l;
  }

  unlock(token: string): boolean {
    return this.#locks.delete(token);
  }

  /** Drops every lock on `path` and below (it was deleted or moved away). */
  forget(path: string): void {
    for (const l of this.#live()) if (inside(l.path, path)) this.#locks.delete(l.token);
  }

  /**
   * May a request that submitted `tokens` change `path` (and, when `deep`, what is below it)?
   * Every exclusive lock involved must be submitted; of shared locks, one is enough.
   */
  mayModify(path: string, tokens: Set<string>, deep = false): boolean {
    const involved = [...this.covering(path), ...(deep ? this.below(path) : [])];
    if (!involved.length) return true;
    const exclusive = involved.filter((l) => l.scope === "exclusive");
    if (exclusive.length) return exclusive.every((l) => tokens.has(l.token));
    return involved.some((l) => tokens.has(l.token));
  }
}

/** `Timeout: Second-600, Infinite` → seconds (the first one understood, capped); default 1 hour. */
export function parseTimeout(header: string | undefined): number {
  for (const part of (header ?? "").split(",")) {
    const t = part.trim();
    if (/^infinite$/i.test(t)) return MAX_TIMEOUT_S;
    const m = /^second-(\d{1,10})$/i.exec(t);
    if (m) return Math.max(1, Math.min(Number(m[1]), MAX_TIMEOUT_S));
  }
  return DEFAULT_TIMEOUT_S;
}

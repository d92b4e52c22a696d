/**
 * What the store and Add never read, whatever the import roots say (ARCHITECTURE.md §5.3): this
 * server's own data directory, the dev CA's, and any other Hearth process's data directory —
 * recognised by the secrets such a directory keeps (marker files) — and roots so broad that they
 * would hold all of these (`/`, a home directory as a whole, or an ancestor of one). Every path is
 * resolved with realpath first, so neither `..`, a trailing slash nor a symbolic link (anywhere in
 * the path) leads around the check.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ImportPathError, isInside, resolveImportDir } from "./names.ts";

/**
 * Files only a Hearth process's data directory holds: TLS and server keys, the CA's keys, the
 * registration (server id + TOTP secret) and the databases. A directory holding any of them is a
 * data directory and is never read, nor is anything below it.
 */
export const DATA_DIR_MARKERS: readonly string[] = [
  "tls.key",
  "server.key",
  "ca.key",
  "issuer.key",
  "registration.json",
  "cloud.db",
  "userserver.db",
];

/** Whether `dir` holds one of the marker files of a Hearth data directory. */
export function isDataDir(dir: string): boolean {
  return DATA_DIR_MARKERS.some((m) => existsSync(join(dir, m)));
}

/** A path's real form; for a path that does not exist yet, its resolved form. */
function real(path: string): string {
  try {
    // The C library's realpath: Node's JS one folds `link/..` lexically before resolving links,
    // which names a different folder from the one the kernel opens.
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

export interface PathPolicyOptions {
  /** More home directories to refuse as a whole (always: this OS user's, `/root`, `/home/*`, `/Users/*`). */
  homes?: readonly string[];
}

export class PathPolicy {
  readonly #protected: string[];
  readonly #homes: string[];

  /** `protectedDirs`: this server's data directory and the CA's (when known); markers find the rest. */
  constructor(protectedDirs: readonly string[], { homes = [] }: PathPolicyOptions = {}) {
    this.#protected = protectedDirs.map(real);
    this.#homes = [homedir(), "/root", ...homes].map(real);
  }

  /** The data directory `path` lies in (itself or an ancestor), or undefined. */
  dataDirOf(path: string): string | undefined {
    const r = real(path);
    for (const p of this.#protected) if (isInside(p, r)) return p;
    for (let d = r;; d = dirname(d)) {
      if (isDataDir(d)) return d;
      if (d === dirname(d)) return undefined;
    }
  }

  /** Returns `path`'s real form, or throws `ImportPathError` when it is inside a data directory. */
  checkReadable(path: string): string {
    const r = real(path);
    const inside = this.dataDirOf(r);
    if (inside !== undefined) {
      throw new ImportPathError(
        `Path ${JSON.stringify(path)} is refused: it is inside ${JSON.stringify(inside)}, ` +
          `the data folder of a Hearth server, which holds its keys and is never imported`,
      );
    }
    return r;
  }

  /** Returns the root's real form, or throws `ImportPathError` with a sentence that says why not. */
  checkRoot(root: string): string {
    const shown = JSON.stringify(root);
    if (!root.startsWith("/")) throw new ImportPathError(`Import folder ${shown} must be an absolute path`);
    const r = real(root);
    if (r === "/") {
      throw new ImportPathError(
        `Import folder ${shown} is refused: it is the whole disk, which holds this server's keys and every ` +
          `other program's data; choose a folder of documents or photos instead`,
      );
    }
    if (this.#isHome(r)) {
      throw new ImportPathError(
        `Import folder ${shown} is refused: it is a whole home directory (or holds one), with keys and ` +
          `passwords such as ~/.ssh and browser profiles; choose a folder inside it, such as ~/Pictures`,
      );
    }
    this.checkReadable(root);
    return r;
  }

  /** Whether `root` may serve as an import root (see `checkRoot`). */
  rootAllowed(root: string): boolean {
    try {
      this.checkRoot(root);
      return true;
    } catch (e) {
      if (e instanceof ImportPathError) return false;
      throw e;
    }
  }

  /**
   * `resolveImportDir` under this policy: only roots that pass `checkRoot` count, and the result
   * must not be inside a data directory.
   */
  resolveImportDir(roots: readonly string[], requested: string): string {
    const allowed = roots.filter((r) => this.rootAllowed(r));
    if (roots.length > 0 && allowed.length === 0) this.checkRoot(roots[0]); // says why
    return this.checkReadable(resolveImportDir(allowed, requested));
  }

  #isHome(r: string): boolean {
    const parent = dirname(r);
    if (["/home", "/Users"].some((h) => r === h || parent === h)) return true;
    return this.#homes.some((h) => isInside(r, h));
  }
}

/**
 * Checks a list of import roots as a person typed them (first-run setup, a local session): each
 * absolute, an existing folder, and allowed by `policy`. Returns them without duplicates; throws
 * `ImportPathError` naming the first bad one.
 */
export function checkImportRoots(policy: PathPolicy, roots: readonly string[]): string[] {
  for (const r of roots) {
    policy.checkRoot(r);
    if (!isDirectoryPath(r)) {
      throw new ImportPathError(`Import folder "${r}" is not a folder on this computer`);
    }
  }
  return [...new Set(roots)];
}

function isDirectoryPath(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Item names and import paths. A name is one path segment, NFC-normalized; an import path must
 * resolve (symbolic links followed) to a directory inside one of the configured import roots.
 */
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve, sep } from "node:path";

export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/** Device names Windows reserves, with or without an extension: a copy to such a disk would fail. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export class ItemNameError extends Error {
  override name = "ItemNameError";
}

export class ImportPathError extends Error {
  override name = "ImportPathError";
}

/** Returns the normalized name, or throws `ItemNameError` saying what is wrong with it. */
export function checkItemName(input: string): string {
  const name = input.normalize("NFC");
  if (name.length === 0) throw new ItemNameError("Name cannot be empty");
  if (name === "." || name === "..") throw new ItemNameError(`Name "${name}" is reserved`);
  if (/[/\\]/.test(name)) throw new ItemNameError(`Name "${name}" cannot contain "/" or "\\"`);
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ItemNameError(`Name ${JSON.stringify(name)} cannot contain control characters`);
  }
  if (/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) {
    throw new ItemNameError(`Name ${JSON.stringify(name)} is not valid Unicode`);
  }
  if (name.trim() !== name) throw new ItemNameError(`Name "${name}" cannot start or end with a space`);
  if (WINDOWS_RESERVED.test(name)) throw new ItemNameError(`Name "${name}" is reserved on Windows`);
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_NAME_BYTES) {
    throw new ItemNameError(
      `Name "${name.slice(0, 40)}…" is ${bytes} bytes long (at most ${MAX_NAME_BYTES})`,
    );
  }
  return name;
}

/** A relative item path (`a/b/c.txt`) as its checked segments; rejects traversal and absolute paths. */
export function splitItemPath(input: string): string[] {
  if (input.startsWith("/")) throw new ItemNameError(`Path "${input}" must be relative`);
  if (new TextEncoder().encode(input).length > MAX_PATH_BYTES) {
    throw new ItemNameError(`Path "${input.slice(0, 40)}…" is longer than ${MAX_PATH_BYTES} bytes`);
  }
  return input.split("/").map(checkItemName);
}

/** Whether `candidate` is `root` or inside it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const r = resolve(root);
  const c = resolve(candidate);
  if (c === r) return true;
  return c.startsWith(r.endsWith(sep) ? r : r + sep);
}

/**
 * Resolves `requested` (absolute) to a real directory inside one of `roots`, following symbolic
 * links on both sides, so neither `..` nor a link can lead outside. Returns the real path.
 */
export function resolveImportDir(roots: readonly string[], requested: string): string {
  const shown = JSON.stringify(requested);
  if (!requested || !isAbsolute(requested)) throw new ImportPathError(`Path ${shown} must be absolute`);
  if (requested.includes("\0")) throw new ImportPathError(`Path ${shown} contains a NUL byte`);
  if (roots.length === 0) {
    throw new ImportPathError(
      `Path ${shown} cannot be imported: no import roots are configured (see Settings)`,
    );
  }
  let real: string;
  try {
    real = realpathSync(requested);
  } catch {
    throw new ImportPathError(`Path ${shown} does not exist`);
  }
  const realRoots = roots.flatMap((r) => {
    try {
      return [realpathSync(r)];
    } catch {
      return [];
    }
  });
  if (!realRoots.some((r) => isInside(r, real))) {
    throw new ImportPathError(`Path ${shown} is outside the import roots`);
  }
  if (!statSync(real).isDirectory()) throw new ImportPathError(`Path ${shown} is not a directory`);
  return real;
}

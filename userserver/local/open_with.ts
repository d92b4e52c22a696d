/**
 * "Open with the default application" (issue #21), for a browser with a local session only: a copy
 * of the file, under its own name, is handed to the desktop's opener (`xdg-open`, `open` on macOS;
 * `HEARTH_OPENER` replaces it, for tests). A copy, never the stored blob: an application that
 * saves in place must not change content-addressed bytes. Copies older than a day are removed at
 * the next open.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomToken } from "../../shared/crypto/mod.ts";

const DAY_MS = 86_400_000;

export function openerCommand(): string[] {
  const fromEnv = process.env.HEARTH_OPENER;
  if (fromEnv) return [fromEnv];
  return [process.platform === "darwin" ? "open" : "xdg-open"];
}

/** Copies `blobPath` to `<dataDir>/opened/<random>/<name>` and starts the opener on it; answers the copy's path. */
export function openWithDefault(dataDir: string, blobPath: string, name: string, now = Date.now()): string {
  const base = join(dataDir, "opened");
  mkdirSync(base, { recursive: true, mode: 0o700 });
  for (const d of readdirSync(base)) {
    try {
      if (now - statSync(join(base, d)).mtimeMs > DAY_MS) {
        rmSync(join(base, d), { recursive: true, force: true });
      }
    } catch {
      // gone meanwhile
    }
  }
  const dir = join(base, randomToken(9));
  mkdirSync(dir, { mode: 0o700 });
  // The name is an item name (no slashes, checked at every write); basename again, to be sure.
  const safe = name.replaceAll("/", "_").replaceAll("\0", "");
  const path = join(dir, safe === "" || safe === "." || safe === ".." ? "file" : safe);
  copyFileSync(blobPath, path);
  const proc = Bun.spawn([...openerCommand(), path], { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  proc.unref();
  return path;
}

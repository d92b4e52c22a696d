/** Where the repository and its runtimes are, for tools that start Hearth's processes. */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

function bin(name: string): string {
  const local = join(repoRoot, "node_modules", ".bin", name);
  return existsSync(local) ? local : name;
}

/** The Bun running this tool if it is Bun, else the one `npm install` brought. */
export const bunPath = typeof Bun !== "undefined" ? process.execPath : bin("bun");
export const denoPath = bin("deno");

/**
 * The photos benches' user server: a real `Core` (`createCore`: the migrated database through
 * `openUserDb`, the prepared reader through `openReader`, the store) over a data directory of the
 * bench's own, from a config file written the way an install writes one. `Catalog` and
 * `PhotoIndexer` take the whole Core, so the bench gives them the whole, real thing.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../shared/log/mod.ts";
import { loadUserServerConfig } from "../../userserver/config/mod.ts";
import { type Core, createCore } from "../../userserver/core/mod.ts";
import { CONFIG_VERSION } from "../../userserver/config/schema.ts";

export async function benchCore(dataDir: string): Promise<Core> {
  const file = join(dataDir, "config.json");
  writeFileSync(file, JSON.stringify({ version: CONFIG_VERSION, name: "bench" }) + "\n");
  return await createCore(loadUserServerConfig(dataDir, file).config, silentLogger);
}

export function closeCore(core: Core): void {
  core.reader.close();
  core.db.close();
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const median = (xs: number[]) => percentile(xs, 50);

export const arg = (k: string, d: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${k}=`))?.split("=")[1] ?? d);

export const flag = (k: string) => Bun.argv.includes(`--${k}`);

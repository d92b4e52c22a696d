/**
 * Config upgrades: each step turns version n into n + 1. The file is upgraded in place (atomic
 * write) after a copy of the previous file is kept as `<file>.v<n>.bak`.
 */
import { copyFileSync, existsSync } from "node:fs";
import { ConfigError } from "../../platform/config.ts";
import { CONFIG_VERSION } from "./schema.ts";

type Raw = Record<string, unknown>;

/** `STEPS[n]` upgrades a version-n object to version n + 1. */
const STEPS: Record<number, (raw: Raw) => Raw> = {
  // Version 1 (no `version` key): before import roots and first-run setup existed. A server
  // that already ran was set up by hand or by `npm run dev`.
  1: (raw) => ({ importRoots: [], setupDone: true, ...raw, version: 2 }),
};

export function versionOf(raw: Raw, file: string): number {
  if (!("version" in raw)) return 1;
  const v = raw.version;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(
      `Config key "version" in ${file} is invalid: expected a positive integer, got ${JSON.stringify(v)}`,
    );
  }
  if (v > CONFIG_VERSION) {
    throw new ConfigError(
      `Config file ${file} has version ${v}, newer than this server understands (${CONFIG_VERSION}): upgrade Hearth`,
    );
  }
  return v;
}

/** Returns the upgraded object and the version it started at. */
export function upgradeConfig(raw: Raw, file: string): { upgraded: Raw; from: number } {
  const from = versionOf(raw, file);
  let current = raw;
  for (let v = from; v < CONFIG_VERSION; v++) current = STEPS[v](current);
  current.version = CONFIG_VERSION;
  return { upgraded: current, from };
}

/** Copies `file` to `<file>.v<from>.bak` (never overwriting an older backup); returns the path. */
export function backupConfig(file: string, from: number): string {
  let backup = `${file}.v${from}.bak`;
  for (let i = 1; existsSync(backup); i++) backup = `${file}.v${from}.${i}.bak`;
  copyFileSync(file, backup);
  return backup;
}

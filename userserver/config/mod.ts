/**
 * The config module: typed, versioned settings. Loading upgrades an older file (keeping a
 * backup); `ConfigStore` edits the live-editable part and writes the file atomically.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../../platform/config.ts";
import { writePublicFile } from "../../platform/files.ts";
import type { Logger } from "../../shared/log/mod.ts";
import {
  CONFIG_VERSION,
  type LiveSettings,
  liveSettingsSchema,
  userServerConfigSchema,
  type UserServerFile,
} from "./schema.ts";
import { backupConfig, upgradeConfig } from "./upgrade.ts";

export { CONFIG_VERSION, type LiveSettings, liveSettingsSchema, userServerConfigSchema };
export { ConfigError };

export type UserServerConfig = UserServerFile & {
  dataDir: string;
  configFile: string;
  relayedSocket: string;
};

export interface LoadResult {
  config: UserServerConfig;
  /** Set when the file was upgraded: the version it had and where its backup is. */
  upgradedFrom?: { version: number; backup: string };
  /** Set when the file is older and `upgradeFile` was false: the version `serve` will upgrade it from. */
  wouldUpgradeFrom?: number;
}

/**
 * Reads, upgrades (with a backup) and validates the config file. A missing file is an error.
 * `upgradeFile: false` (check-config) validates the upgraded object but leaves the file as it is.
 */
export function loadUserServerConfig(
  dataDir: string,
  file: string,
  { upgradeFile = true }: { upgradeFile?: boolean } = {},
): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const why = (cause as { code?: string }).code === "ENOENT"
      ? "it does not exist"
      : (cause as Error).message;
    throw new ConfigError(`Cannot read config file ${file}: ${why}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object`);
  }
  const { upgraded, from } = upgradeConfig({ ...(raw as Record<string, unknown>) }, file);
  // Validate before touching the file: an invalid old file stays as it was.
  const parsed = parseConfig(upgraded, userServerConfigSchema, file);
  if (from !== CONFIG_VERSION && !upgradeFile) {
    return { config: complete(parsed, dataDir, file), wouldUpgradeFrom: from };
  }
  let upgradedFrom: LoadResult["upgradedFrom"];
  if (from !== CONFIG_VERSION) {
    const backup = backupConfig(file, from);
    writePublicFile(file, JSON.stringify(upgraded, null, 2) + "\n");
    upgradedFrom = { version: from, backup };
  }
  return { config: complete(parsed, dataDir, file), upgradedFrom };
}

function complete(parsed: UserServerFile, dataDir: string, file: string): UserServerConfig {
  return {
    ...parsed,
    dataDir,
    configFile: file,
    relayedSocket: parsed.relayedSocket ?? join(dataDir, "relayed.sock"),
  };
}

export function userServerNames(cfg: UserServerConfig) {
  const publicName = `${cfg.name}.${cfg.zone}`;
  return {
    commonName: publicName,
    dnsNames: [publicName, `local.${publicName}`],
    ipAddresses: [cfg.localAddress],
  };
}

export function publicOrigin(cfg: UserServerConfig): string {
  return `https://${cfg.name}.${cfg.zone}${cfg.publicPort === 443 ? "" : `:${cfg.publicPort}`}`;
}

export function localOrigin(cfg: UserServerConfig): string {
  return `https://local.${cfg.name}.${cfg.zone}:${cfg.localPort}`;
}

/**
 * The running config. `update` validates a change to the live-editable settings, writes the
 * whole file atomically (re-read first, so keys edited by hand are kept) and tells listeners.
 */
export class ConfigStore {
  #current: UserServerConfig;
  #listeners = new Set<(cfg: UserServerConfig) => void>();

  constructor(initial: UserServerConfig, private readonly log?: Logger) {
    this.#current = initial;
  }

  get current(): UserServerConfig {
    return this.#current;
  }

  get live(): LiveSettings {
    return { importRoots: [...this.#current.importRoots] };
  }

  onChange(fn: (cfg: UserServerConfig) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Applies a partial change; throws `ConfigError` naming the bad key. */
  update(patch: Partial<LiveSettings> & { setupDone?: boolean }): UserServerConfig {
    const { setupDone, ...livePatch } = patch;
    const live = parseConfig({ ...this.live, ...livePatch }, liveSettingsSchema, "the settings");
    const file = this.#current.configFile;
    const onDisk = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const next = { ...onDisk, ...live, ...(setupDone === undefined ? {} : { setupDone }) };
    const parsed = parseConfig(next, userServerConfigSchema, file);
    writePublicFile(file, JSON.stringify(next, null, 2) + "\n");
    this.#current = complete(parsed, this.#current.dataDir, file);
    this.log?.info("settings changed", { keys: Object.keys(patch) });
    for (const fn of this.#listeners) fn(this.#current);
    return this.#current;
  }
}

/**
 * The command line every Hearth process shares:
 *   `[command] [--data-dir DIR] [--config FILE]`, plus `--version` (the command `version`) and the
 *   command `check-config` on every entry.
 */
import { parseArgs } from "node:util";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { ConfigError } from "./config.ts";
import { join, resolve } from "node:path";
import process from "node:process";

export interface CommandLine {
  command: string;
  dataDir: string;
  configFile: string;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

export function parseCommandLine(defaultDataDir: string, argv = process.argv.slice(2)): CommandLine {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      "data-dir": { type: "string" },
      config: { type: "string" },
      version: { type: "boolean" },
    },
  });
  const dataDir = resolve(String(values["data-dir"] ?? process.env.HEARTH_DATA_DIR ?? defaultDataDir));
  return {
    // `--version` wins over any command, as people expect of `x serve --version`.
    command: values.version ? "version" : positionals[0] ?? "serve",
    args: positionals.slice(1),
    dataDir,
    configFile: String(values.config ?? join(dataDir, "config.json")),
    flags: values as Record<string, string | boolean | undefined>,
  };
}

/** Hearth's version, from the package.json the code was installed with. */
export function hearthVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** The line `--version` prints: `<proc> <version> (<runtime> <its version>)`. */
export function versionLine(proc: string): string {
  const runtime = process.versions.bun
    ? `bun ${process.versions.bun}`
    : process.versions.deno
    ? `deno ${process.versions.deno}`
    : `node ${process.versions.node}`;
  return `${proc} ${hearthVersion()} (${runtime})`;
}

export interface ConfigCheck {
  /** Files the config names (a CA file, …): each must be readable, or the check fails. */
  referenced?: Record<string, string | undefined>;
  /** Files `init` or registration puts in the data dir: a missing one is reported, not an error. */
  dataFiles?: string[];
}

/**
 * The rest of `check-config`, after the entry has loaded its config (which throws one sentence
 * naming the key and the file when a value is wrong): referenced files must be readable. Returns
 * the lines to print.
 */
export function checkConfig(
  proc: string,
  cli: CommandLine,
  { referenced = {}, dataFiles = [] }: ConfigCheck = {},
) {
  const lines = [`${proc}: config ${cli.configFile} is valid`];
  if (!existsSync(cli.configFile)) {
    lines.push(`${proc}: note: ${cli.configFile} does not exist: the defaults apply`);
  }
  for (const [key, file] of Object.entries(referenced)) {
    if (file === undefined) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (cause) {
      throw new ConfigError(
        `Config key "${key}" in ${cli.configFile} names "${file}", which cannot be read`,
        {
          cause,
        },
      );
    }
  }
  for (const name of dataFiles) {
    const path = join(cli.dataDir, name);
    if (!existsSync(path)) {
      lines.push(`${proc}: note: ${path} does not exist yet (made by init or registration)`);
    }
  }
  return lines.join("\n");
}

/** The command line every Hearth process shares: `[command] [--data-dir DIR] [--config FILE]`. */
import { parseArgs } from "node:util";
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
    options: { "data-dir": { type: "string" }, config: { type: "string" } },
  });
  const dataDir = resolve(String(values["data-dir"] ?? process.env.HEARTH_DATA_DIR ?? defaultDataDir));
  return {
    command: positionals[0] ?? "serve",
    args: positionals.slice(1),
    dataDir,
    configFile: String(values.config ?? join(dataDir, "config.json")),
    flags: values as Record<string, string | boolean | undefined>,
  };
}

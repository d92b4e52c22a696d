/** The process logger: readable lines on a terminal, JSON lines otherwise (or as configured). */
import process from "node:process";
import { createLogger, type Logger } from "../shared/log/mod.ts";

export function processLogger(proc: string, format: "json" | "pretty" | "auto" = "auto"): Logger {
  const chosen = format === "auto" ? (process.stdout.isTTY ? "pretty" : "json") : format;
  return createLogger({
    format: chosen,
    level: (process.env.HEARTH_LOG_LEVEL as "debug" | "info" | "warn" | "error" | undefined) ?? "info",
    fields: { proc },
    sink: (line, level) => (level === "error" ? process.stderr : process.stdout).write(line + "\n"),
  });
}

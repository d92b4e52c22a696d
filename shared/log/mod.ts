/**
 * One structured logger for every process: JSON lines when the output is not a terminal
 * (machines read it), short readable lines on a terminal (people read it). The entry point
 * picks the format and the sink; library code only ever receives a `Logger`.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** "json" for JSON lines, "pretty" for a terminal. */
  format?: "json" | "pretty";
  /** Lines below this level are dropped. */
  level?: LogLevel;
  /** Receives each finished line (without a newline). */
  sink?: (line: string, level: LogLevel) => void;
  /** Fields on every line, e.g. `{ proc: "relay-a" }`. */
  fields?: LogFields;
  now?: () => Date;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  { format = "json", level = "info", sink = () => {}, fields = {}, now = () => new Date() }: LoggerOptions =
    {},
): Logger {
  const emit = (lvl: LogLevel, msg: string, extra: LogFields | undefined, base: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const all = { ...base, ...extra };
    sink(format === "json" ? jsonLine(now(), lvl, msg, all) : prettyLine(now(), lvl, msg, all), lvl);
  };
  const make = (base: LogFields): Logger => ({
    debug: (m, f) => emit("debug", m, f, base),
    info: (m, f) => emit("info", m, f, base),
    warn: (m, f) => emit("warn", m, f, base),
    error: (m, f) => emit("error", m, f, base),
    child: (f) => make({ ...base, ...f }),
  });
  return make(fields);
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = createLogger({ level: "error", sink: () => {} });

function jsonLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  return JSON.stringify({ time: time.toISOString(), level, msg, ...serializable(fields) });
}

function prettyLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const hhmmss = time.toISOString().slice(11, 19);
  const rest = Object.entries(serializable(fields))
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${hhmmss} ${level.toUpperCase().padEnd(5)} ${msg}${rest ? "  " + rest : ""}`;
}

/** Errors do not survive JSON.stringify; keep their name and message. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? `${v.name}: ${v.message}` : v;
  }
  return out;
}

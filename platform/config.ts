/**
 * Typed process configuration: a JSON file checked against a strict zod schema, so a typo or
 * a bad value stops start-up with one sentence that names the key and the file.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates `file` (missing file → `{}` when `optional`), then applies `overrides`. */
export function loadConfigFile<S extends z.ZodType>(
  file: string,
  schema: S,
  { optional = true, overrides = {} }: { optional?: boolean; overrides?: Record<string, unknown> } = {},
): z.output<S> {
  let raw: unknown = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    if (!optional || (cause as { code?: string }).code !== "ENOENT") {
      throw new ConfigError(`Cannot read config file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  if (text !== undefined) {
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`Config file ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  return parseConfig({ ...(raw as object), ...dropUndefined(overrides) }, schema, file);
}

export function parseConfig<S extends z.ZodType>(raw: unknown, schema: S, where: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(describeIssue(result.error.issues[0], where));
}

function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const key = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const prefix = key ? `${key}.` : "";
    return `Unknown config key "${prefix}${issue.keys[0]}" in ${where}`;
  }
  return `Config key "${key}" in ${where} is invalid: ${issue.message}`;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Reusable field types with messages people understand. */
export const fields = {
  port: z.number({ error: "expected a port number" }).int().min(0).max(65535),
  host: z.string().regex(/^[0-9a-zA-Z.:-]+$/, "expected an IP address or host name"),
  url: z.string().refine((s) => URL.canParse(s), { error: "expected a URL" }),
  httpsUrl: z.string().refine((s) => URL.canParse(s) && new URL(s).protocol === "https:", {
    error: "expected an https:// URL",
  }),
  dnsName: z.string().regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    {
      error: "expected a lower-case DNS name",
    },
  ),
  logFormat: z.enum(["json", "pretty", "auto"]).default("auto"),
};

export { z };

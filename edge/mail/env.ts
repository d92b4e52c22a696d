/**
 * Mail settings from environment variables, for hosts configured that way (Deno Deploy:
 * edge/deploy.ts). The result is checked against the same schema as the `mail` key of the cloud
 * tier's config file (edge/config.ts), so both say the same thing about a bad value.
 *
 *   HEARTH_MAIL_TRANSPORT   http | smtp | file         (unset: no delivery; mail waits in the outbox)
 *   HEARTH_MAIL_FROM        e.g. Hearth <no-reply@hearth.example>   (default Hearth <no-reply@<zone>>)
 *   http:  HEARTH_MAIL_HTTP_URL (https://…), HEARTH_MAIL_HTTP_TOKEN (bearer token)
 *   smtp:  HEARTH_SMTP_HOST, HEARTH_SMTP_PORT (587), HEARTH_SMTP_SECURE (false; true for port 465),
 *          HEARTH_SMTP_REQUIRE_TLS (true), HEARTH_SMTP_USER, HEARTH_SMTP_PASSWORD
 *   file:  HEARTH_MAIL_DIR (a writable folder; not on Deno Deploy)
 */
import { parseConfig } from "../../platform/config.ts";
import { cloudConfigSchema } from "../config.ts";
import type { MailTransportConfig } from "./transport.ts";

export class MailEnvError extends Error {
  override name = "MailEnvError";
}

export interface MailEnv {
  /** Undefined when HEARTH_MAIL_TRANSPORT is unset. */
  transport?: MailTransportConfig;
  from: string;
}

const TRANSPORTS = ["http", "smtp", "file"];

/** Reads the mail settings through `get` (e.g. `(k) => Deno.env.get(k)`); throws a sentence for a bad value. */
export function mailConfigFromEnv(
  get: (name: string) => string | undefined,
  { zone = "hearth.localhost" }: { zone?: string } = {},
): MailEnv {
  const env = (name: string) => {
    const v = get(name)?.trim();
    return v ? v : undefined;
  };
  const from = env("HEARTH_MAIL_FROM") ?? `Hearth <no-reply@${zone}>`;
  const kind = env("HEARTH_MAIL_TRANSPORT")?.toLowerCase();
  if (kind === undefined) return { from };
  if (!TRANSPORTS.includes(kind)) {
    throw new MailEnvError(`HEARTH_MAIL_TRANSPORT is "${kind}": expected http, smtp or file`);
  }
  let raw: Record<string, unknown>;
  if (kind === "http") {
    raw = { transport: "http", url: env("HEARTH_MAIL_HTTP_URL"), token: env("HEARTH_MAIL_HTTP_TOKEN") };
  } else if (kind === "smtp") {
    const port = env("HEARTH_SMTP_PORT") === undefined
      ? 587
      : integer("HEARTH_SMTP_PORT", env("HEARTH_SMTP_PORT")!);
    raw = {
      transport: "smtp",
      host: env("HEARTH_SMTP_HOST"),
      port,
      secure: flag("HEARTH_SMTP_SECURE", env("HEARTH_SMTP_SECURE"), port === 465),
      requireTls: flag("HEARTH_SMTP_REQUIRE_TLS", env("HEARTH_SMTP_REQUIRE_TLS"), true),
      user: env("HEARTH_SMTP_USER"),
      password: env("HEARTH_SMTP_PASSWORD"),
    };
  } else {
    raw = { transport: "file", dir: env("HEARTH_MAIL_DIR") };
  }
  const clean = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const transport = parseConfig(clean, cloudConfigSchema.shape.mail, "the HEARTH_MAIL_* variables");
  if (transport.transport === "file" && !transport.dir) {
    throw new MailEnvError('HEARTH_MAIL_TRANSPORT is "file" but HEARTH_MAIL_DIR is not set');
  }
  return { transport, from };
}

function integer(name: string, value: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new MailEnvError(`${name} is "${value}": expected a port number`);
  return Number(value);
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  const v = value.toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new MailEnvError(`${name} is "${value}": expected true or false`);
}

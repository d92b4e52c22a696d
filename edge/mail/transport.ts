/**
 * Mail transports: `file` (dev and tests: one `.eml` per message in a folder, plus a log line),
 * `smtp` (nodemailer, for self-hosters) and `http` (a generic JSON mail API with a bearer token,
 * for hosts such as Deno Deploy where SMTP ports are blocked).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type { Logger } from "../../shared/log/mod.ts";
import type { MailMessage } from "./outbox.ts";

export type MailTransportConfig =
  | { transport: "file"; dir?: string }
  | {
    transport: "smtp";
    host: string;
    port: number;
    /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
    secure: boolean;
    /** Refuse to send without STARTTLS. */
    requireTls: boolean;
    user?: string;
    password?: string;
  }
  | { transport: "http"; url: string; token: string };

export interface MailTransport {
  readonly kind: string;
  send(from: string, msg: MailMessage & { id: number }): Promise<void>;
}

export class MailSendError extends Error {
  override name = "MailSendError";
}

export function createTransport(
  cfg: MailTransportConfig,
  { log, defaultDir }: { log: Logger; defaultDir: string },
): MailTransport {
  switch (cfg.transport) {
    case "file":
      return fileTransport(cfg.dir ?? defaultDir, log);
    case "smtp":
      return smtpTransport(cfg);
    case "http":
      return httpTransport(cfg.url, cfg.token);
  }
}

/** What nodemailer is given for one message, by the file and SMTP transports alike. */
function nodemailerMessage(from: string, msg: MailMessage) {
  return { from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, headers: msg.headers };
}

function fileTransport(dir: string, log: Logger): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    kind: "file",
    async send(from, msg) {
      const info = await composer.sendMail(nodemailerMessage(from, msg));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${msg.id}.eml`;
      const tmp = join(dir, `.${name}.tmp`);
      writeFileSync(tmp, info.message as unknown as Uint8Array, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
      log.info("mail written", { to: msg.to, subject: msg.subject, file: join(dir, name) });
    },
  };
}

function smtpTransport(cfg: Extract<MailTransportConfig, { transport: "smtp" }>): MailTransport {
  const t = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    requireTLS: cfg.requireTls,
    ignoreTLS: !cfg.secure && !cfg.requireTls && ["127.0.0.1", "::1", "localhost"].includes(cfg.host),
    auth: cfg.user ? { user: cfg.user, pass: cfg.password ?? "" } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    kind: "smtp",
    async send(from, msg) {
      try {
        await t.sendMail(nodemailerMessage(from, msg));
      } catch (cause) {
        throw new MailSendError(
          `SMTP server ${cfg.host}:${cfg.port} refused the mail: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      }
    },
  };
}

function httpTransport(url: string, token: string): MailTransport {
  return {
    kind: "http",
    async send(from, msg) {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          from,
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          ...(msg.headers ? { headers: msg.headers } : {}),
        }),
        signal: AbortSignal.timeout(15_000),
      }).catch((cause) => {
        throw new MailSendError(`Cannot reach the mail API at ${url}: ${(cause as Error).message}`, {
          cause,
        });
      });
      if (!res.ok) {
        throw new MailSendError(
          `The mail API at ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`,
        );
      }
    },
  };
}

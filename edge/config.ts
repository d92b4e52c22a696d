/** The cloud tier's configuration, built once at the entry point and passed inward. */
import { join } from "node:path";
import { fields, loadConfigFile, z } from "../platform/config.ts";
import { http01AcmeSchema } from "../platform/acme/config.ts";

export const cloudConfigSchema = z.strictObject({
  listenHost: fields.host.default("127.0.0.1"),
  port: fields.port.default(8787),
  /** The DNS zone user names live under. */
  zone: fields.dnsName.default("hearth.localhost"),
  /** Defaults to `file:<dataDir>/cloud.db`. */
  databaseUrl: z.string().optional(),
  databaseAuthToken: z.string().optional(),
  /** Extra IP addresses to put in the certificate request (the listen address is always there). */
  certificateIps: z.array(z.string()).default([]),
  logFormat: fields.logFormat,
  /** IdCloud's public origin, for links in mail; defaults to `https://id.<zone>[:port]`. */
  idOrigin: fields.httpsUrl.optional(),
  /** How mail leaves: `file` (dev: `<dataDir>/mail/*.eml`), `smtp` (nodemailer) or `http` (a JSON mail API). */
  mail: z.discriminatedUnion("transport", [
    z.strictObject({ transport: z.literal("file"), dir: z.string().optional() }),
    z.strictObject({
      transport: z.literal("smtp"),
      host: fields.host,
      port: fields.port.default(587),
      secure: z.boolean().default(false),
      requireTls: z.boolean().default(false),
      user: z.string().optional(),
      password: z.string().optional(),
    }),
    z.strictObject({ transport: z.literal("http"), url: fields.httpsUrl, token: z.string().min(1) }),
  ]).default({ transport: "file" }),
  mailFrom: z.string().default("Hearth <no-reply@hearth.localhost>"),
  /** Days the tunnel event log (who attached, from where, when) is kept for the operators' console. */
  tunnelEventRetentionDays: z.number().int().min(1).max(3650).default(90),
  /**
   * Its certificate (`reg.` and `id.<zone>`) from an ACME CA by HTTP-01 (edge/acme.ts) instead of
   * one issued at set-up, on a plain Deno host (Deno Deploy brings its own TLS).
   */
  acme: http01AcmeSchema.optional(),
});

export type CloudConfig = z.output<typeof cloudConfigSchema> & {
  dataDir: string;
  databaseUrl: string;
  idOrigin: string;
};

export function loadCloudConfig(dataDir: string, file: string): CloudConfig {
  const cfg = loadConfigFile(file, cloudConfigSchema);
  return {
    ...cfg,
    dataDir,
    databaseUrl: cfg.databaseUrl ?? `file:${join(dataDir, "cloud.db")}`,
    idOrigin: (cfg.idOrigin ?? `https://id.${cfg.zone}${cfg.port === 443 ? "" : `:${cfg.port}`}`).replace(
      /\/$/,
      "",
    ),
  };
}

/** The names the cloud tier answers to, for its certificate. */
export function cloudNames(cfg: CloudConfig) {
  return {
    commonName: `reg.${cfg.zone}`,
    dnsNames: [`reg.${cfg.zone}`, `id.${cfg.zone}`],
    ipAddresses: [...new Set([cfg.listenHost, ...cfg.certificateIps])],
  };
}

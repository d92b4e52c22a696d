/** The user server's configuration, built at its entry point. */
import { join } from "node:path";
import { fields, loadConfigFile, z } from "../platform/config.ts";

export const userServerConfigSchema = z.strictObject({
  /** The user name: the server answers as `<name>.<zone>` (relayed) and `local.<name>.<zone>`. */
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "expected a DNS label"),
  zone: fields.dnsName.default("hearth.localhost"),
  /** The local listener (browsers on this machine, no relay). */
  localAddress: fields.host.default("127.0.0.1"),
  localPort: fields.port.default(9443),
  /** The relayed listener's Unix socket; defaults to `<dataDir>/relayed.sock`. */
  relayedSocket: z.string().optional(),
  /** The public origin's port (the relays' browser port), e.g. 8443 in dev, 443 in production. */
  publicPort: fields.port.default(443),
  cloudUrl: fields.httpsUrl.default("https://127.0.0.1:8787"),
  cloudServerName: fields.dnsName.optional(),
  caFile: z.string().optional(),
  /** Tunnels to hold, each to a different relay. */
  tunnels: z.number().int().min(1).max(8).default(2),
  /** Dev and benchmarks only: `GET /_bytes/<n>` streams n bytes. */
  enableByteStream: z.boolean().default(false),
  logFormat: fields.logFormat,
});

export type UserServerConfig = z.output<typeof userServerConfigSchema> & {
  dataDir: string;
  relayedSocket: string;
};

export function loadUserServerConfig(dataDir: string, file: string): UserServerConfig {
  const cfg = loadConfigFile(file, userServerConfigSchema);
  return { ...cfg, dataDir, relayedSocket: cfg.relayedSocket ?? join(dataDir, "relayed.sock") };
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

/** The DNS front's configuration (`edge/dns/server.ts`), built at its entry point. */
import { fields, loadConfigFile, z } from "../../platform/config.ts";

export const dnsFrontConfigSchema = z.strictObject({
  /** Stable id, e.g. "ns1"; its credential is `<id>.<secret>` in its data dir. */
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, "expected lower-case letters, digits and dashes").default("ns1"),
  zone: fields.dnsName.default("hearth.localhost"),
  /** Its name in the zone's NS set; defaults to `<id>.<zone>`. */
  hostName: fields.dnsName.optional(),
  /** UDP and TCP on the same address and port (5353 is mDNS's, hence 5300 in dev). */
  listenHost: fields.host.default("127.0.0.1"),
  port: fields.port.default(5300),
  /** RegCloud's origin (reached by IP; the dev certificate carries it). */
  cloudUrl: fields.httpsUrl.default("https://127.0.0.1:8787"),
  /** TLS name of the cloud tier (informational: Bun's fetch checks the IP in the certificate). */
  cloudServerName: fields.dnsName.optional(),
  /** A CA certificate file to trust for the cloud tier (the dev CA in development). */
  caFile: z.string().optional(),
  /** How often to ask RegCloud for a newer snapshot (ETag; unchanged → 304). */
  refreshIntervalMs: z.number().int().min(100).max(2_000).default(1_000),
  /** TCP: a connection idle this long is closed. */
  tcpIdleTimeoutMs: z.number().int().min(100).default(10_000),
  maxTcpConnections: z.number().int().min(1).default(1_000),
  /** Encoded answers kept per snapshot (exact query → answer). */
  cacheEntries: z.number().int().min(0).default(10_000),
  logFormat: fields.logFormat,
});

export type DnsFrontConfig = z.output<typeof dnsFrontConfigSchema> & { dataDir: string; hostName: string };

export function loadDnsFrontConfig(dataDir: string, file: string): DnsFrontConfig {
  const cfg = loadConfigFile(file, dnsFrontConfigSchema);
  return { ...cfg, dataDir, hostName: cfg.hostName ?? `${cfg.id}.${cfg.zone}` };
}

/** A relay's configuration, built at its entry point. */
import { fields, loadConfigFile, z } from "../../platform/config.ts";
import { http01AcmeSchema } from "../../platform/acme/config.ts";

export const relayConfigSchema = z.strictObject({
  /** Stable id, e.g. "relay-a"; its data directory is `.data/<id>/`. */
  id: z.string().regex(/^[a-z0-9-]{1,32}$/, "expected lower-case letters, digits and dashes"),
  zone: fields.dnsName.default("hearth.localhost"),
  /** The relay's own name (tunnel port SNI and certificate); defaults to `<id>.<zone>`. */
  hostName: fields.dnsName.optional(),
  /** Addresses of the browser port (plain TCP, SNI routed). */
  browserAddresses: z.array(fields.host).min(1).default(["127.0.0.1"]),
  browserPort: fields.port.default(8443),
  /** Address of the TLS tunnel port that user servers dial. */
  tunnelAddress: fields.host.default("127.0.0.1"),
  tunnelPort: fields.port.default(8444),
  /** RegCloud's origin (reached by IP; see `cloudServerName`). */
  cloudUrl: fields.httpsUrl.default("https://127.0.0.1:8787"),
  /** TLS name of the cloud tier, since Node/Deno-style resolvers don't resolve *.localhost. */
  cloudServerName: fields.dnsName.optional(),
  /** A CA certificate file to trust for the cloud tier (the dev CA in development). */
  caFile: z.string().optional(),
  /** Limits, each refused with a clear error when hit. */
  maxTunnels: z.number().int().min(1).default(10_000),
  maxStreamsPerTunnel: z.number().int().min(1).max(65_536).default(1024),
  maxBrowserConnections: z.number().int().min(1).default(20_000),
  /** New browser connections per second per source IP (token bucket; burst = 2×). */
  connectionsPerSecondPerIp: z.number().min(1).default(200),
  /** Concurrent browser-port connections from one source address. */
  maxConnectionsPerSource: z.number().int().min(1).default(256),
  /** Concurrent tunnel-port connections (tunnels, hellos, health checks) from one source address. */
  maxTunnelPortConnectionsPerSource: z.number().int().min(1).default(32),
  /** Tunnel-port connections in all. */
  maxTunnelPortConnections: z.number().int().min(1).default(20_000),
  /**
   * The share of one tunnel's streams that connections from one source address may hold at once
   * (stalled handshakes from one address must not fill a user's tunnel).
   */
  maxStreamShareFromOneSource: z.number().gt(0).max(1).default(0.25),
  /** Browser port: accept → first byte. */
  firstByteTimeoutMs: z.number().int().min(100).default(5_000),
  /** Tunnel port: accept → TLS handshake done. */
  handshakeTimeoutMs: z.number().int().min(100).default(10_000),
  /**
   * A browser must finish its ClientHello, a tunnel its hello, and a health check its HTTP request
   * head within this many ms of the phase before.
   */
  helloTimeoutMs: z.number().int().min(100).default(10_000),
  heartbeatIntervalMs: z.number().int().min(100).default(2_000),
  /** Keepalive ping interval on tunnels (ms). */
  keepaliveIntervalMs: z.number().int().min(0).default(15_000),
  /** How long a graceful shutdown waits for streams to finish. */
  drainTimeoutMs: z.number().int().min(0).default(10_000),
  /**
   * The tunnel port's certificate from an ACME CA by HTTP-01 (edge/relay/acme.ts) instead of one
   * issued at set-up: the CA fetches `/.well-known/acme-challenge/<token>` from `httpAddress:httpPort`
   * (port 80 in production; the relay's name resolves to its tunnel address).
   */
  acme: http01AcmeSchema.optional(),
  /**
   * Debugging only, off by default: append every byte the relay moves between browser sockets
   * and tunnel streams to `<file>.up` / `<file>.down`. Tests use it to show those bytes are TLS.
   */
  debugTapFile: z.string().optional(),
  logFormat: fields.logFormat,
});

export type RelayConfig = z.output<typeof relayConfigSchema> & { dataDir: string; hostName: string };

export function loadRelayConfig(dataDir: string, file: string): RelayConfig {
  const cfg = loadConfigFile(file, relayConfigSchema);
  return { ...cfg, dataDir, hostName: cfg.hostName ?? `${cfg.id}.${cfg.zone}` };
}

export function relayNames(cfg: RelayConfig) {
  return {
    commonName: cfg.hostName,
    dnsNames: [cfg.hostName],
    ipAddresses: [...new Set([cfg.tunnelAddress, ...cfg.browserAddresses])],
  };
}

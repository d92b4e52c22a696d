/**
 * The user server's certificate from an ACME CA (config `acme`): DNS-01 through DNSCloud for
 * `<name>.<zone>` and `local.<name>.<zone>`, kept renewed by `CertificateKeeper` in the data
 * directory (tls.key stays there; only a request signed with it leaves). Needs the registration:
 * DNSCloud accepts TXT values only from the server that owns the names, signed with its key.
 */
import { readFileSync } from "node:fs";
import { CertificateKeeper } from "../../platform/acme/keeper.ts";
import { ensureServerKey, loadRegistration } from "../../platform/secrets.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { UserServerConfig } from "../config/mod.ts";
import { dnsCloudSolver } from "./dns01.ts";

export { acmePlugin } from "./plugin.tsx";
export { dnsCloudSolver } from "./dns01.ts";

/** The names the ACME certificate carries (no IP address: ACME CAs issue for names only). */
export function acmeDomains(cfg: UserServerConfig): string[] {
  return [`${cfg.name}.${cfg.zone}`, `local.${cfg.name}.${cfg.zone}`];
}

/** The keeper for this server, or undefined when `acme` is not configured or it is not registered yet. */
export async function userServerAcme(
  cfg: UserServerConfig,
  { log, onIssued }: { log: Logger; onIssued: (tls: { key: string; cert: string }) => void | Promise<void> },
): Promise<CertificateKeeper | undefined> {
  if (!cfg.acme) return undefined;
  const registration = loadRegistration(cfg.dataDir);
  if (!registration) {
    log.warn("acme is configured but this server is not registered yet: no certificate order until it is");
    return undefined;
  }
  const { keys } = await ensureServerKey(cfg.dataDir);
  const solver = dnsCloudSolver({
    cloudUrl: cfg.cloudUrl,
    caPem: cfg.caFile ? readFileSync(cfg.caFile, "utf8") : undefined,
    serverId: registration.serverId,
    serverKey: keys.privateKey,
  }, { dnsServers: cfg.acme.dnsServers, propagationMs: cfg.acme.propagationSeconds * 1000 });
  return new CertificateKeeper({
    dataDir: cfg.dataDir,
    domains: acmeDomains(cfg),
    directoryUrl: cfg.acme.directoryUrl,
    caPem: cfg.acme.caFile ? readFileSync(cfg.acme.caFile, "utf8") : undefined,
    email: cfg.acme.email,
    solver,
    renewAtFraction: cfg.acme.renewAtFraction,
    retryBaseMs: cfg.acme.retrySeconds * 1000,
    onIssued,
    log: log.child({ module: "acme" }),
  });
}

/**
 * The relay's own certificate (its tunnel port, `<id>.<zone>`) from an ACME CA by HTTP-01, when
 * `acme` is configured: a plain-HTTP listener on `httpAddress:httpPort` answers only
 * `/.well-known/acme-challenge/<token>` for an order in progress, and 404 otherwise. HTTP-01
 * rather than DNS-01 because the relay holds no credential DNSCloud would accept for TXT records
 * (those are for user servers' own names), while its name already resolves to its tunnel address.
 * The key stays in the relay's data directory; a renewed certificate is swapped in by `onIssued`.
 */
import { readFileSync } from "node:fs";
import { CertificateKeeper } from "../../platform/acme/keeper.ts";
import { http01Responder } from "../../platform/acme/http01.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { RelayConfig } from "./config.ts";

export interface RelayAcme {
  keeper: CertificateKeeper;
  stop(): void;
}

export function relayAcme(
  cfg: RelayConfig,
  { log, onIssued }: { log: Logger; onIssued: (tls: { key: string; cert: string }) => void },
): RelayAcme | undefined {
  if (!cfg.acme) return undefined;
  const acme = cfg.acme;
  const responder = http01Responder();
  const address = acme.httpAddress ?? cfg.tunnelAddress;
  const http = listenOrExplain("the ACME HTTP-01 listener", `${address}:${acme.httpPort}`, () =>
    Bun.serve({
      hostname: address,
      port: acme.httpPort,
      development: false,
      fetch: (req) => responder.answer(req),
    }));
  const keeper = new CertificateKeeper({
    dataDir: cfg.dataDir,
    domains: [cfg.hostName],
    directoryUrl: acme.directoryUrl,
    caPem: acme.caFile ? readFileSync(acme.caFile, "utf8") : undefined,
    email: acme.email,
    solver: responder.solver,
    renewAtFraction: acme.renewAtFraction,
    retryBaseMs: acme.retrySeconds * 1000,
    onIssued,
    log: log.child({ module: "acme" }),
  });
  keeper.start();
  return {
    keeper,
    stop() {
      keeper.stop();
      http.stop(true);
    },
  };
}

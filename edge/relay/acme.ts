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
import type { ChallengeSolver } from "../../platform/acme/client.ts";
import { listenOrExplain } from "../../platform/main.ts";
import type { Logger } from "../../shared/log/mod.ts";
import type { RelayConfig } from "./config.ts";

const PREFIX = "/.well-known/acme-challenge/";

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
  const answers = new Map<string, string>();
  const address = acme.httpAddress ?? cfg.tunnelAddress;
  const http = listenOrExplain("the ACME HTTP-01 listener", `${address}:${acme.httpPort}`, () =>
    Bun.serve({
      hostname: address,
      port: acme.httpPort,
      development: false,
      fetch(req) {
        const path = new URL(req.url).pathname;
        const answer = path.startsWith(PREFIX) ? answers.get(path.slice(PREFIX.length)) : undefined;
        return answer
          ? new Response(answer, { headers: { "content-type": "application/octet-stream" } })
          : new Response("Not found", { status: 404 });
      },
    }));
  const solver: ChallengeSolver = {
    type: "http-01",
    present: (_domain, token, keyAuthorization) => Promise.resolve(void answers.set(token, keyAuthorization)),
    cleanup: (_domain, token) => Promise.resolve(void answers.delete(token)),
  };
  const keeper = new CertificateKeeper({
    dataDir: cfg.dataDir,
    domains: [cfg.hostName],
    directoryUrl: acme.directoryUrl,
    caPem: acme.caFile ? readFileSync(acme.caFile, "utf8") : undefined,
    email: acme.email,
    solver,
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

/**
 * The cloud tier's own certificate (`reg.<zone>` and `id.<zone>`) from an ACME CA by HTTP-01, when
 * `acme` is configured (on a plain Deno host; Deno Deploy brings its own TLS): a plain-HTTP
 * listener on `httpAddress:httpPort` answers only `/.well-known/acme-challenge/<token>` for an order
 * in progress. The key stays in the cloud's data directory; a renewed certificate reaches the HTTPS
 * listener through `onIssued` (edge/main.ts swaps listeners without a gap).
 */
import { readFileSync } from "node:fs";
import { CertificateKeeper } from "../platform/acme/keeper.ts";
import { http01Responder } from "../platform/acme/http01.ts";
import type { Logger } from "../shared/log/mod.ts";
import type { CloudConfig } from "./config.ts";

export interface CloudAcme {
  keeper: CertificateKeeper;
  stop(): Promise<void>;
}

export function cloudAcme(
  cfg: CloudConfig,
  names: string[],
  { log, onIssued }: { log: Logger; onIssued: (tls: { key: string; cert: string }) => void | Promise<void> },
): CloudAcme | undefined {
  if (!cfg.acme) return undefined;
  const acme = cfg.acme;
  const responder = http01Responder();
  const http = Deno.serve({
    hostname: acme.httpAddress ?? cfg.listenHost,
    port: acme.httpPort,
    onListen: ({ hostname, port }) =>
      log.info("ACME HTTP-01 listener", { url: `http://${hostname}:${port}` }),
  }, (req) => responder.answer(req));
  // Deno trusts an extra CA (pebble's, in tests) through its own HTTP client, not a fetch option.
  const client = acme.caFile
    ? Deno.createHttpClient({ caCerts: [readFileSync(acme.caFile, "utf8")] })
    : undefined;
  const keeper = new CertificateKeeper({
    dataDir: cfg.dataDir,
    domains: names,
    directoryUrl: acme.directoryUrl,
    email: acme.email,
    solver: responder.solver,
    renewAtFraction: acme.renewAtFraction,
    retryBaseMs: acme.retrySeconds * 1000,
    onIssued,
    fetch: (url, init) => fetch(url, client ? { ...init, client } : init),
    log: log.child({ module: "acme" }),
  });
  keeper.start();
  return {
    keeper,
    async stop() {
      keeper.stop();
      await http.shutdown();
      client?.close();
    },
  };
}

/**
 * Debian's `pebble` (Let's Encrypt's ACME test server) as a managed process, resolving through
 * our DNS front (`-dnsserver`), for `npm run dev -- --acme` and the ACME integration tests. Its own
 * HTTPS listener gets a certificate from a one-off CA made here (`listener-ca.crt`: what a client
 * trusts to reach pebble); the roots pebble issues under are made fresh by pebble at each start
 * (`rootPem()`, from its management port).
 */
import { join } from "node:path";
import { ensureDataDir, writePublicFile, writeSecretFile } from "../../platform/files.ts";
import {
  createCertificateRequest,
  createDevCa,
  exportPrivateKeyPem,
  generateKeyPair,
  signCertificateRequest,
} from "../../shared/pki/mod.ts";
import { ManagedProcess } from "./process.ts";
import { repoRoot } from "./paths.ts";

export interface PebbleOptions {
  dir: string;
  /** ACME directory port and management port (on 127.0.0.1). */
  port: number;
  managementPort: number;
  /** Where pebble resolves every name (`host:port`): our DNS front. */
  dnsServer: string;
  /** Ports pebble dials for HTTP-01 and TLS-ALPN-01 validation. */
  httpPort: number;
  tlsPort: number;
  /** Lifetime of the certificates it issues (pebble's default is years). */
  validitySeconds?: number;
  onLine?: (line: string, proc: string) => void;
  name?: string;
}

export interface RunningPebble {
  directoryUrl: string;
  /** PEM file to trust for pebble's own listener (`acme.caFile`). */
  listenerCaFile: string;
  listenerCaPem: string;
  /** The port it dials for HTTP-01 (what a relay's `acme.httpPort` must be). */
  httpPort: number;
  process: ManagedProcess;
  /** The root pebble issues under in this run (trust it to verify issued certificates). */
  rootPem(): Promise<string>;
  /** "Valid" or "Revoked", from the management port. */
  certStatus(serialHex: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPebble(o: PebbleOptions): Promise<RunningPebble> {
  ensureDataDir(o.dir);
  const ca = await createDevCa("Hearth pebble listener CA (this machine only)");
  const keys = await generateKeyPair();
  const csr = await createCertificateRequest(keys, {
    commonName: "localhost",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
  });
  const cert = await signCertificateRequest(csr, ca, { validDays: 30 });
  const listenerCaFile = join(o.dir, "listener-ca.crt");
  writePublicFile(listenerCaFile, ca.certPem);
  writePublicFile(join(o.dir, "cert.pem"), cert);
  writeSecretFile(join(o.dir, "key.pem"), await exportPrivateKeyPem(keys.privateKey));
  const configFile = join(o.dir, "pebble-config.json");
  writePublicFile(
    configFile,
    JSON.stringify(
      {
        pebble: {
          listenAddress: `127.0.0.1:${o.port}`,
          managementListenAddress: `127.0.0.1:${o.managementPort}`,
          certificate: join(o.dir, "cert.pem"),
          privateKey: join(o.dir, "key.pem"),
          httpPort: o.httpPort,
          tlsPort: o.tlsPort,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
          ...(o.validitySeconds ? { certificateValidityPeriod: o.validitySeconds } : {}),
        },
      },
      null,
      2,
    ),
  );
  const proc = new ManagedProcess({
    name: o.name ?? "pebble",
    cmd: ["pebble", "-config", configFile, "-dnsserver", o.dnsServer],
    cwd: repoRoot,
    // No random sleeps before validation, no nonces refused at random: results that do not vary.
    env: { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" },
    onLine: o.onLine,
  });
  const management = `https://127.0.0.1:${o.managementPort}`;
  const get = (path: string) =>
    fetch(`${management}${path}`, { tls: { ca: ca.certPem }, signal: AbortSignal.timeout(5_000) });
  const directoryUrl = `https://127.0.0.1:${o.port}/dir`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!proc.running) throw new Error(`pebble exited: ${proc.lastLines.slice(-5).join(" | ")}`);
    const ok = await fetch(directoryUrl, { tls: { ca: ca.certPem } }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`pebble did not answer at ${directoryUrl} within 30 s`);
    }
    await Bun.sleep(100);
  }
  return {
    directoryUrl,
    listenerCaFile,
    listenerCaPem: ca.certPem,
    httpPort: o.httpPort,
    process: proc,
    rootPem: async () => await (await get("/roots/0")).text(),
    certStatus: async (serial) => {
      const res = await get(`/cert-status-by-serial/${serial}`);
      return res.ok ? ((await res.json()) as { Status: string }).Status : `HTTP ${res.status}`;
    },
    stop: () => proc.stop().then(() => {}),
  };
}

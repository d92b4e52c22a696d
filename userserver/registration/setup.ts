/**
 * Registration from the local first-run setup page (userserver/web/local_app.tsx): the same
 * `registerWithCloud` as the `register <token>` command, with the options taken from the config.
 * The listeners' certificate, the sign-in's client id and the connector are read once at start,
 * so a server registered here needs one restart to use them (`restartNeeded`). Before registration
 * the listeners use a temporary certificate (`listenerTls`).
 */
import { join } from "node:path";
import { readTextIfExists, writePublicFile } from "../../platform/files.ts";
import { CERT_FILE, ensureKeyAndRequest, KEY_FILE, loadTlsFiles } from "../../platform/identity.ts";
import { loadRegistration } from "../../platform/secrets.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { createDevCa, type Names, signCertificateRequest } from "../../shared/pki/mod.ts";
import { issuerFor } from "../auth/rp.tsx";
import { publicOrigin, type UserServerConfig, userServerNames } from "../config/mod.ts";
import { readCaPem, registerWithCloud } from "./register.ts";

export interface SetupRegistered {
  name: string;
  serverId: string;
  /** The server's public origin, `https://<name>.<zone>[:port]`. */
  publicOrigin: string;
  /** True when the running server must restart to use its new certificate and open its tunnels. */
  restartNeeded: boolean;
}

export interface SetupRegistration {
  /** The registration this server already has (none on a fresh install). */
  current(): SetupRegistered | undefined;
  /** Registers with RegCloud, directly over HTTPS; throws `RegistrationFailedError` with a sentence. */
  register(token: string): Promise<SetupRegistered>;
  /** Where the owner gets a token: IdCloud's account page, "Servers". */
  tokenPageUrl: string;
}

export function setupRegistration(
  config: UserServerConfig,
  { log }: { log: Logger },
): SetupRegistration {
  const origin = publicOrigin(config);
  let registeredHere = false;
  return {
    tokenPageUrl: `${issuerFor({ zone: config.zone, cloudUrl: config.cloudUrl })}/account/servers`,
    current() {
      const reg = loadRegistration(config.dataDir);
      return reg
        ? { name: reg.name, serverId: reg.serverId, publicOrigin: origin, restartNeeded: registeredHere }
        : undefined;
    },
    async register(token) {
      const reg = await registerWithCloud(token, {
        dataDir: config.dataDir,
        name: config.name,
        names: userServerNames(config),
        cloudUrl: config.cloudUrl,
        caPem: readCaPem(config.caFile),
      });
      registeredHere = true;
      log.info("registered with RegCloud from the setup page", { serverId: reg.serverId, name: reg.name });
      return { name: reg.name, serverId: reg.serverId, publicOrigin: origin, restartNeeded: true };
    },
  };
}

/** Where the first-run certificate's one-off issuer is written (public; its key is never stored). */
export const FIRST_RUN_CA_FILE = "first-run-ca.crt";

/**
 * The listeners' key and certificate. Before registration there is no certificate yet, but the
 * setup page must be served: then the server's own TLS key gets a short-lived certificate from a
 * one-off issuer made here (its key is dropped at once; its certificate is saved as
 * first-run-ca.crt for whoever wants to pin it), and the browser warns once. Registration writes
 * the real tls.crt for the same key, used from the next start.
 */
export async function listenerTls(
  dataDir: string,
  names: Names,
  { log }: { log: Logger },
): Promise<{ key: string; cert: string }> {
  if (readTextIfExists(join(dataDir, CERT_FILE))) return loadTlsFiles(dataDir);
  const csr = await ensureKeyAndRequest(dataDir, names);
  const issuer = await createDevCa("Hearth first run (this machine only)");
  const leaf = await signCertificateRequest(csr, issuer, { validDays: 7 });
  writePublicFile(join(dataDir, FIRST_RUN_CA_FILE), issuer.certPem);
  log.warn("not registered yet: the local listener uses a temporary certificate until registration", {
    issuer: join(dataDir, FIRST_RUN_CA_FILE),
  });
  return { key: readTextIfExists(join(dataDir, KEY_FILE))!, cert: `${leaf.trimEnd()}\n${issuer.certPem}` };
}

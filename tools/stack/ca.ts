/**
 * The development CA. Only the set-up step (this file) ever opens its key: processes send a
 * certificate request from their own directory and get a certificate back, as with ACME.
 */
import { join } from "node:path";
import {
  caPathLength,
  createDevCa,
  createIssuingCa,
  describeCertificate,
  excludedNames,
  type Identity,
  issuedBy,
  permittedNames,
  signCertificateRequest,
} from "../../shared/pki/mod.ts";
import { ensureDataDir, readTextIfExists, writePublicFile, writeSecretFile } from "../../platform/files.ts";
import { CERT_FILE, CSR_FILE } from "../../platform/identity.ts";

export const CA_CERT_FILE = "ca.crt";

export async function ensureDevCa(caDir: string): Promise<Identity & { certFile: string }> {
  ensureDataDir(caDir);
  const keyPath = join(caDir, "ca.key");
  const certPath = join(caDir, CA_CERT_FILE);
  let keyPem = readTextIfExists(keyPath);
  let certPem = readTextIfExists(certPath);
  if (!keyPem || !certPem) {
    ({ keyPem, certPem } = await createDevCa("Hearth dev CA"));
    writeSecretFile(keyPath, keyPem);
    writePublicFile(certPath, certPem);
  } else if (caPathLength(certPem) === 0) {
    // A CA made before the cloud's issuing CA existed cannot sign one: re-issue its certificate
    // for the same key (what it signed stays valid; browsers must trust the new ca.crt).
    ({ certPem } = await createDevCa("Hearth dev CA", keyPem));
    writePublicFile(certPath, certPem);
  }
  return { keyPem, certPem, certFile: certPath };
}

/**
 * The cloud tier's issuing CA (ARCHITECTURE.md §3): signed here by the dev CA, kept in the cloud's
 * own data dir, name-constrained to `zone` minus `excluded` (the cloud's `id.`/`reg.` names, the
 * relays and the DNS fronts: names no user server may ever hold, refused by every verifier even if
 * RegCloud erred). RegCloud signs user servers' requests with it; the dev CA's key never leaves
 * `.data/ca/`. A changed exclusion list (a new relay) re-issues it.
 */
export async function ensureCloudIssuer(
  cloudDir: string,
  ca: Identity,
  zone: string,
  excluded: string[],
): Promise<void> {
  const dir = ensureDataDir(join(cloudDir, "issuer"));
  const keyPath = join(dir, "issuer.key");
  const certPath = join(dir, "issuer.crt");
  const certPem = readTextIfExists(certPath);
  const excludedDns = [...new Set(excluded)].sort();
  if (readTextIfExists(keyPath) && certPem && issuerIsCurrent(certPem, ca, zone, excludedDns)) return;
  const issuer = await createIssuingCa(ca, {
    commonName: `Hearth cloud issuer for ${zone}`,
    permittedDns: [zone],
    excludedDns,
    // No iPAddress subtree: Bun's verifier rejects that constraint type ("unsupported name
    // constraint type"); RegCloud's allowed-names check limits addresses to the loopback one.
  });
  writeSecretFile(keyPath, issuer.keyPem);
  writePublicFile(certPath, issuer.certPem);
}

function issuerIsCurrent(certPem: string, ca: Identity, zone: string, excludedDns: string[]): boolean {
  const info = describeCertificate(certPem);
  return info.notAfter.getTime() > Date.now() + 30 * 86_400_000 && issuedBy(certPem, ca.certPem) &&
    (permittedNames(certPem)?.dns ?? []).join() === zone &&
    (excludedNames(certPem)?.dns ?? []).join() === excludedDns.join();
}

/** Signs the request a process left in its data directory; writes its certificate there. */
export async function issueCertificate(dataDir: string, ca: Identity): Promise<string[]> {
  const csr = readTextIfExists(join(dataDir, CSR_FILE));
  if (!csr) throw new Error(`No certificate request in ${dataDir}`);
  const cert = await signCertificateRequest(csr, ca);
  writePublicFile(join(dataDir, CERT_FILE), cert);
  return describeCertificate(cert).names;
}

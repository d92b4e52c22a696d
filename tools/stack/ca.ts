/**
 * The development CA. Only the set-up step (this file) ever opens its key: processes send a
 * certificate request from their own directory and get a certificate back, as with ACME.
 */
import { join } from "node:path";
import {
  createDevCa,
  describeCertificate,
  type Identity,
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
  }
  return { keyPem, certPem, certFile: certPath };
}

/** Signs the request a process left in its data directory; writes its certificate there. */
export async function issueCertificate(dataDir: string, ca: Identity): Promise<string[]> {
  const csr = readTextIfExists(join(dataDir, CSR_FILE));
  if (!csr) throw new Error(`No certificate request in ${dataDir}`);
  const cert = await signCertificateRequest(csr, ca);
  writePublicFile(join(dataDir, CERT_FILE), cert);
  return describeCertificate(cert).names;
}

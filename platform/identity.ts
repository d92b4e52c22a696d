/**
 * A process's TLS identity in its own data directory: `tls.key` (0600, generated here and never
 * copied elsewhere), `tls.csr` (the certificate request for its names) and `tls.crt` (issued by
 * the dev CA in development, by ACME later). Only the owning process calls `ensureKeyAndRequest`.
 */
import { join } from "node:path";
import {
  certificateMatchesKey,
  createCertificateRequest,
  describeCertificate,
  exportPrivateKeyPem,
  generateKeyPair,
  importKeyPairPem,
  type Names,
} from "../shared/pki/mod.ts";
import { readTextIfExists, writePublicFile, writeSecretFile } from "./files.ts";

export const KEY_FILE = "tls.key";
export const CSR_FILE = "tls.csr";
export const CERT_FILE = "tls.crt";

export class IdentityError extends Error {
  override name = "IdentityError";
}

/**
 * The `init` step of every process: creates the key if missing and, unless the certificate in
 * place is current, writes a fresh request for `names`. Says which on stdout as one JSON line.
 */
export async function initIdentity(dataDir: string, names: Names): Promise<{ current: boolean }> {
  if (await certificateIsCurrent(dataDir, names)) return { current: true };
  await ensureKeyAndRequest(dataDir, names);
  return { current: false };
}

/** Creates the key if missing and writes a fresh request for `names`; returns the request PEM. */
export async function ensureKeyAndRequest(dataDir: string, names: Names): Promise<string> {
  const keyPath = join(dataDir, KEY_FILE);
  let keyPem = readTextIfExists(keyPath);
  if (!keyPem) {
    const keys = await generateKeyPair();
    keyPem = await exportPrivateKeyPem(keys.privateKey);
    writeSecretFile(keyPath, keyPem);
  }
  const csr = await createCertificateRequest(await importKeyPairPem(keyPem), names);
  writePublicFile(join(dataDir, CSR_FILE), csr);
  return csr;
}

/** True when `tls.crt` exists, matches `tls.key`, covers every name and is valid for a week more. */
export function certificateIsCurrent(dataDir: string, names: Names): Promise<boolean> {
  const keyPem = readTextIfExists(join(dataDir, KEY_FILE));
  const certPem = readTextIfExists(join(dataDir, CERT_FILE));
  if (!keyPem || !certPem) return Promise.resolve(false);
  const info = describeCertificate(certPem);
  const wanted = [...(names.dnsNames ?? []), ...(names.ipAddresses ?? [])];
  if (!wanted.every((n) => info.names.includes(n))) return Promise.resolve(false);
  if (info.notAfter.getTime() < Date.now() + 7 * 86_400_000) return Promise.resolve(false);
  return certificateMatchesKey(certPem, keyPem);
}

/** Reads the key and certificate a listener needs, with a clear error when they are missing. */
export function loadTlsFiles(dataDir: string): { key: string; cert: string } {
  const key = readTextIfExists(join(dataDir, KEY_FILE));
  const cert = readTextIfExists(join(dataDir, CERT_FILE));
  if (!key || !cert) {
    throw new IdentityError(
      `No TLS certificate in ${dataDir}: run "npm run dev" once, or issue ${CERT_FILE} for ${CSR_FILE}`,
    );
  }
  return { key, cert };
}

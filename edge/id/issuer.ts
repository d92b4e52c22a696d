/**
 * The cloud tier's issuing CA for user-server certificates, in `<cloud data dir>/issuer/`
 * (`issuer.key` 0600, `issuer.crt`). In dev the set-up creates it under the dev CA with a name
 * constraint to the zone (tools/stack/ca.ts); RegCloud never sees the dev CA's own key.
 */
import { join } from "node:path";
import { readTextIfExists } from "../../platform/files.ts";

export const ISSUER_DIR = "issuer";
export const ISSUER_KEY_FILE = "issuer.key";
export const ISSUER_CERT_FILE = "issuer.crt";

export function loadIssuer(cloudDataDir: string): { keyPem: string; certPem: string } | undefined {
  const keyPem = readTextIfExists(join(cloudDataDir, ISSUER_DIR, ISSUER_KEY_FILE));
  const certPem = readTextIfExists(join(cloudDataDir, ISSUER_DIR, ISSUER_CERT_FILE));
  return keyPem && certPem ? { keyPem, certPem } : undefined;
}

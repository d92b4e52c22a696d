/**
 * Per-process secrets beside the TLS key, each 0600 in the process's own data directory:
 * a relay's RegCloud credential, a user server's server key (signs its cloud requests) and its
 * registration (server id + TOTP secret).
 */
import { join } from "node:path";
import { randomToken, sha256Hex } from "../shared/crypto/mod.ts";
import { exportPrivateKeyPem, generateKeyPair, importKeyPairPem, publicJwk } from "../shared/pki/mod.ts";
import { readTextIfExists, writeSecretFile } from "./files.ts";

export const CREDENTIAL_FILE = "credential";
export const SERVER_KEY_FILE = "server.key";
export const REGISTRATION_FILE = "registration.json";

export class SecretMissingError extends Error {
  override name = "SecretMissingError";
}

/** A relay's bearer credential `<id>.<secret>`, created once; returns it and its hash. */
export async function ensureRelayCredential(
  dataDir: string,
  relayId: string,
): Promise<{ credential: string; hash: string }> {
  const path = join(dataDir, CREDENTIAL_FILE);
  let credential = readTextIfExists(path)?.trim();
  if (!credential || !credential.startsWith(`${relayId}.`)) {
    credential = `${relayId}.${randomToken(32)}`;
    writeSecretFile(path, credential + "\n");
  }
  return { credential, hash: await sha256Hex(credential.slice(relayId.length + 1)) };
}

export function loadRelayCredential(dataDir: string): string {
  const credential = readTextIfExists(join(dataDir, CREDENTIAL_FILE))?.trim();
  if (!credential) {
    throw new SecretMissingError(`No relay credential in ${dataDir}: run the relay's "init" command`);
  }
  return credential;
}

/** The user server's server key (ECDSA P-256), created once; returns the pair and public JWK. */
export async function ensureServerKey(
  dataDir: string,
): Promise<{ keys: CryptoKeyPair; publicJwk: JsonWebKey }> {
  const path = join(dataDir, SERVER_KEY_FILE);
  let pem = readTextIfExists(path);
  if (!pem) {
    pem = await exportPrivateKeyPem((await generateKeyPair()).privateKey);
    writeSecretFile(path, pem);
  }
  const keys = await importKeyPairPem(pem);
  return { keys, publicJwk: await publicJwk(keys.publicKey) };
}

export interface Registration {
  serverId: string;
  name: string;
  totpSecret: string;
}

export function saveRegistration(dataDir: string, reg: Registration): void {
  writeSecretFile(join(dataDir, REGISTRATION_FILE), JSON.stringify(reg, null, 2) + "\n");
}

export function loadRegistration(dataDir: string): Registration | undefined {
  const text = readTextIfExists(join(dataDir, REGISTRATION_FILE));
  return text ? JSON.parse(text) as Registration : undefined;
}

/**
 * The user server's side of registration (ARCHITECTURE.md §3, step 0): with the one-time token
 * its owner got at IdCloud, it makes (or reuses) its server key and TLS key in its own data
 * directory, writes a certificate request for `<name>.<zone>`, `local.<name>.<zone>` and its local
 * address, and registers directly with RegCloud over HTTPS — never through a relay. It saves the
 * answer (`server_id`, TOTP secret) as registration.json (0600) and the certificate chain as
 * tls.crt. Used by `bun run userserver register <token>` and by the local setup page.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { CERT_FILE, ensureKeyAndRequest } from "../../platform/identity.ts";
import { writePublicFile } from "../../platform/files.ts";
import { ensureServerKey, type Registration, saveRegistration } from "../../platform/secrets.ts";
import { describeCertificate, type Names } from "../../shared/pki/mod.ts";

export class RegistrationFailedError extends Error {
  override name = "RegistrationFailedError";
}

export interface RegisterOptions {
  dataDir: string;
  /** The user name the config says this server is (the token must be for the same name). */
  name: string;
  names: Names;
  cloudUrl: string;
  /** PEM of the CA that signed the cloud tier's certificate (dev); the system roots otherwise. */
  caPem?: string;
}

export interface RegisterResult extends Registration {
  certificateNames: string[];
}

const TOKEN = /^hrt_[A-Za-z0-9_-]{8,40}\.[A-Za-z0-9_-]{20,80}$/;

export function isRegistrationToken(value: string): boolean {
  return TOKEN.test(value.trim());
}

export async function registerWithCloud(token: string, opts: RegisterOptions): Promise<RegisterResult> {
  token = token.trim();
  if (!isRegistrationToken(token)) {
    throw new RegistrationFailedError(
      `"${
        token.slice(0, 12)
      }…" is not a registration token (it starts with hrt_; copy it from your account page)`,
    );
  }
  const { publicJwk } = await ensureServerKey(opts.dataDir);
  const csr = await ensureKeyAndRequest(opts.dataDir, opts.names);
  const url = new URL("/reg/v1/register", opts.cloudUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, publicJwk, csr }),
      signal: AbortSignal.timeout(30_000),
      ...(opts.caPem ? { tls: { ca: opts.caPem } } : {}),
    } as RequestInit);
  } catch (cause) {
    throw new RegistrationFailedError(
      `Cannot reach RegCloud at ${opts.cloudUrl}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const body = await res.json().catch(() => ({})) as {
    error?: string;
    serverId?: string;
    name?: string;
    totpSecret?: string;
    certificate?: string;
  };
  if (!res.ok) {
    throw new RegistrationFailedError(
      `RegCloud refused the registration: ${body.error ?? `HTTP ${res.status}`}`,
    );
  }
  if (!body.serverId || !body.name || !body.totpSecret || !body.certificate) {
    throw new RegistrationFailedError(
      "RegCloud's answer is missing the server id, TOTP secret or certificate",
    );
  }
  if (body.name !== opts.name) {
    throw new RegistrationFailedError(
      `The token is for "${body.name}" but this server is configured as "${opts.name}"`,
    );
  }
  const reg: Registration = { serverId: body.serverId, name: body.name, totpSecret: body.totpSecret };
  saveRegistration(opts.dataDir, reg);
  writePublicFile(join(opts.dataDir, CERT_FILE), body.certificate);
  return { ...reg, certificateNames: describeCertificate(body.certificate).names };
}

/** Reads the CA file named in the config, if any. */
export function readCaPem(caFile: string | undefined): string | undefined {
  return caFile ? readFileSync(caFile, "utf8") : undefined;
}

/**
 * Keys, certificate requests and a development CA, on Web Crypto and @peculiar/x509.
 *
 * Every process makes its own key in its own data directory and asks for a certificate with a
 * certificate request, the way ACME works; only the dev set-up step ever opens the CA key.
 */
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

const EC = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

x509.cryptoProvider.set(crypto);

export class PkiError extends Error {
  override name = "PkiError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface Identity {
  /** PKCS#8 PEM. */
  keyPem: string;
  /** X.509 PEM. */
  certPem: string;
}

/** A fresh ECDSA P-256 key pair (extractable, so it can be written to its 0600 file). */
export function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** Imports a PKCS#8 PEM key for signing, and derives its public half. */
export async function importKeyPairPem(pem: string): Promise<CryptoKeyPair> {
  let der: ArrayBuffer;
  try {
    der = x509.PemConverter.decodeFirst(pem);
  } catch (cause) {
    throw new PkiError("Cannot read private key: not a PEM document", { cause });
  }
  const privateKey = await crypto.subtle.importKey("pkcs8", der, EC, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
    EC,
    true,
    ["verify"],
  );
  return { privateKey, publicKey };
}

/** The public key as a JWK (what the cloud stores to verify a server's signed requests). */
export async function publicJwk(key: CryptoKey): Promise<JsonWebKey> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", key);
  return { kty, crv, x, y };
}

export interface Names {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
}

function altNames({ dnsNames = [], ipAddresses = [] }: Names): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension([
    ...dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
  ]);
}

/** A PKCS#10 certificate request for `names`, signed by the requester's own key. */
export async function createCertificateRequest(keys: CryptoKeyPair, names: Names): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${escapeDn(names.commonName)}`,
    keys,
    signingAlgorithm: SIGN,
    extensions: [altNames(names)],
  });
  return csr.toString("pem");
}

/** A self-signed CA for development, valid for ten years. */
export async function createDevCa(commonName = "Hearth dev CA"): Promise<Identity> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * 86_400_000),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), certPem: cert.toString("pem") };
}

export interface SignOptions {
  /** Days of validity (browsers refuse leaf certificates valid for more than 398 days). */
  validDays?: number;
  /** When set, every requested name must be in this list. */
  allowedNames?: string[];
}

/**
 * Signs a certificate request with the CA after checking its self-signature.
 * The leaf gets serverAuth + clientAuth and exactly the names the request carries.
 */
export async function signCertificateRequest(
  csrPem: string,
  ca: Identity,
  { validDays = 397, allowedNames }: SignOptions = {},
): Promise<string> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (cause) {
    throw new PkiError("Cannot read certificate request: not a PKCS#10 PEM document", { cause });
  }
  if (!(await csr.verify())) throw new PkiError("Cannot sign certificate request: its signature is invalid");
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension =>
    e instanceof x509.SubjectAlternativeNameExtension
  );
  const requested: string[] = san?.names.items.map((n) => n.value) ?? [];
  if (allowedNames) {
    const extra = requested.filter((n) => !allowedNames.includes(n));
    if (extra.length) {
      throw new PkiError(`Cannot sign certificate request: name "${extra[0]}" is not allowed`);
    }
  }
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await importKeyPairPem(ca.keyPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: csr.subject,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * 86_400_000),
    publicKey: csr.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      ...(san ? [san] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString("pem");
}

/** The DNS and IP names a certificate (PEM) carries, and when it expires. */
export function describeCertificate(certPem: string): { names: string[]; notAfter: Date; subject: string } {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    names: san?.names.items.map((n) => n.value) ?? [],
    notAfter: cert.notAfter,
    subject: cert.subject,
  };
}

/** True when the certificate's public key is the public half of `keyPem`. */
export async function certificateMatchesKey(certPem: string, keyPem: string): Promise<boolean> {
  const cert = new x509.X509Certificate(certPem);
  const { publicKey } = await importKeyPairPem(keyPem);
  const a = await crypto.subtle.exportKey("spki", await cert.publicKey.export());
  const b = await crypto.subtle.exportKey("spki", publicKey);
  return bytesEqual(new Uint8Array(a), new Uint8Array(b));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // positive INTEGER
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, "\\$1");
}

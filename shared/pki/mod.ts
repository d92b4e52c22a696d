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

/**
 * A self-signed CA for development, valid for ten years. Path length 1: it may sign one level of
 * issuing CAs (the cloud tier's, for user servers) below it. Pass `keyPem` to re-issue the CA
 * certificate for an existing key (certificates it signed stay valid).
 */
export async function createDevCa(commonName = "Hearth dev CA", keyPem?: string): Promise<Identity> {
  const keys = keyPem ? await importKeyPairPem(keyPem) : await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeDn(commonName)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * 86_400_000),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), certPem: cert.toString("pem") };
}

/** True when `certPem` names `caCertPem` as its issuer (subject and key identifier match). */
export function issuedBy(certPem: string, caCertPem: string): boolean {
  const cert = new x509.X509Certificate(certPem);
  const ca = new x509.X509Certificate(caCertPem);
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  return cert.issuer === ca.subject && !!aki && aki === ski;
}

/** The CA certificate's path length constraint (undefined: none; -1: not a CA). */
export function caPathLength(certPem: string): number | undefined {
  const bc = new x509.X509Certificate(certPem).getExtension(x509.BasicConstraintsExtension);
  return bc?.ca ? bc.pathLength : -1;
}

export interface IssuerOptions {
  commonName: string;
  /** DNS names the issuer may certify: each permits itself and every name below it (RFC 5280 §4.2.1.10). */
  permittedDns: string[];
  /** IPv4 ranges as `addr/prefix`, e.g. `127.0.0.0/8`. */
  permittedIpv4?: string[];
  /**
   * DNS names inside the permitted ones the issuer must never certify (each with every name below
   * it): the cloud's own `id.`/`reg.` names, the relays and the DNS fronts. Excluded subtrees win
   * over permitted ones (RFC 5280 §4.2.1.10), so a leaf for `id.<zone>` fails every verifier.
   */
  excludedDns?: string[];
  validDays?: number;
}

/**
 * An issuing (intermediate) CA signed by `parent`, for the cloud tier to sign user-server
 * requests with, so the parent's key stays with the dev set-up. A critical name constraint keeps
 * whatever it signs inside the zone; path length 0 stops it from making more CAs.
 */
export async function createIssuingCa(parent: Identity, opts: IssuerOptions): Promise<Identity> {
  const keys = await generateKeyPair();
  const parentCert = new x509.X509Certificate(parent.certPem);
  const parentKeys = await importKeyPairPem(parent.keyPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${escapeDn(opts.commonName)}`,
    issuer: parentCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + (opts.validDays ?? 825) * 86_400_000, parentCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: parentKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension(
        "2.5.29.30",
        true,
        nameConstraintsDer(opts.permittedDns, opts.permittedIpv4 ?? [], opts.excludedDns ?? []),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(parentCert),
    ],
  });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), certPem: cert.toString("pem") };
}

/** The permitted DNS names and IPv4 ranges of a certificate's name constraint (tests, diagnostics). */
export function permittedNames(certPem: string): { dns: string[]; ipv4: string[] } | undefined {
  return nameConstraintSubtrees(certPem, 0xa0);
}

/** The excluded DNS names and IPv4 ranges of a certificate's name constraint (tests, diagnostics). */
export function excludedNames(certPem: string): { dns: string[]; ipv4: string[] } | undefined {
  return nameConstraintSubtrees(certPem, 0xa1);
}

function nameConstraintSubtrees(
  certPem: string,
  tag: 0xa0 | 0xa1,
): { dns: string[]; ipv4: string[] } | undefined {
  const ext = new x509.X509Certificate(certPem).extensions.find((e) => e.type === "2.5.29.30");
  if (!ext) return undefined;
  const out = { dns: [] as string[], ipv4: [] as string[] };
  const der = new Uint8Array(ext.value);
  // SEQUENCE { [0] permitted { SEQUENCE { [2] dns | [7] ip } … } [1] excluded { … } }
  const outer = readTlv(der, 0);
  let part = readTlv(der, outer.start);
  if (part.tag !== tag) part = part.end < outer.end ? readTlv(der, part.end) : part;
  if (part.tag !== tag) return out;
  for (let p = part.start; p < part.end;) {
    const subtree = readTlv(der, p);
    const base = readTlv(der, subtree.start);
    const value = der.subarray(base.start, base.end);
    if (base.tag === 0x82) out.dns.push(new TextDecoder().decode(value));
    if (base.tag === 0x87 && value.length === 8) {
      const prefix = [...value.subarray(4)].reduce((n, b) => n + popcount(b), 0);
      out.ipv4.push(`${[...value.subarray(0, 4)].join(".")}/${prefix}`);
    }
    p = subtree.end;
  }
  return out;
}

function popcount(b: number): number {
  let n = 0;
  for (; b; b >>= 1) n += b & 1;
  return n;
}

function readTlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[at + 2 + i];
    start += n;
  }
  return { tag, start, end: start + len };
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out.set([tag, ...len]);
  out.set(body, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function nameConstraintsDer(dns: string[], ipv4: string[], excludedDns: string[]): ArrayBuffer {
  const dnsSubtree = (d: string) => tlv(0x30, tlv(0x82, new TextEncoder().encode(d)));
  const subtrees = [
    ...dns.map(dnsSubtree),
    ...ipv4.map((range) => {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(range);
      if (!m || Number(m[5]) > 32) {
        throw new PkiError(`Cannot use IP range "${range}": expected a.b.c.d/prefix`);
      }
      const prefix = Number(m[5]);
      const mask = [0, 1, 2, 3].map((i) => {
        const bits = Math.max(0, Math.min(8, prefix - 8 * i));
        return (0xff << (8 - bits)) & 0xff;
      });
      const addr = [1, 2, 3, 4].map((i, j) => Number(m[i]) & mask[j]);
      return tlv(0x30, tlv(0x87, new Uint8Array([...addr, ...mask])));
    }),
  ];
  const excluded = excludedDns.length ? [tlv(0xa1, concat(excludedDns.map(dnsSubtree)))] : [];
  const der = tlv(0x30, concat([tlv(0xa0, concat(subtrees)), ...excluded]));
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}

export interface SignOptions {
  /** Days of validity (browsers refuse leaf certificates valid for more than 398 days). */
  validDays?: number;
  /** When set, every requested name must be in this list. */
  allowedNames?: string[];
}

/** Parses a PKCS#10 request and checks its self-signature (proof the requester holds the key). */
async function verifiedRequest(csrPem: string): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (cause) {
    throw new PkiError("Cannot read certificate request: not a PKCS#10 PEM document", { cause });
  }
  if (!(await csr.verify())) throw new PkiError("Cannot sign certificate request: its signature is invalid");
  return csr;
}

function requestedNames(csr: x509.Pkcs10CertificateRequest): string[] {
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension =>
    e instanceof x509.SubjectAlternativeNameExtension
  );
  return san?.names.items.map((n) => n.value) ?? [];
}

async function signLeaf(
  csr: x509.Pkcs10CertificateRequest,
  ca: Identity,
  subject: string,
  san: x509.SubjectAlternativeNameExtension | undefined,
  validDays: number,
): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await importKeyPairPem(ca.keyPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
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

/**
 * Signs a certificate request with the CA after checking its self-signature.
 * The leaf gets serverAuth + clientAuth and exactly the names the request carries (the dev CA
 * for the processes the set-up itself starts; RegCloud uses `issueForNames`).
 */
export async function signCertificateRequest(
  csrPem: string,
  ca: Identity,
  { validDays = 397, allowedNames }: SignOptions = {},
): Promise<string> {
  const csr = await verifiedRequest(csrPem);
  const requested = requestedNames(csr);
  if (allowedNames) {
    const extra = requested.filter((n) => !allowedNames.includes(n));
    if (extra.length) {
      throw new PkiError(`Cannot sign certificate request: name "${extra[0]}" is not allowed`);
    }
  }
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension =>
    e instanceof x509.SubjectAlternativeNameExtension
  );
  return await signLeaf(csr, ca, csr.subject, san, validDays);
}

export interface IssueOptions {
  validDays?: number;
  /** Addresses the leaf carries only when the request asks for them (a local listener's loopback). */
  optionalIps?: string[];
}

/**
 * Issues a leaf for `dnsNames` from a request that proves the key: the certificate is built here,
 * from `dnsNames` only — subject CN = the first name, SANs = the names plus the `optionalIps` the
 * request asks for. The request's subject and every other field are ignored; a request naming
 * anything else is refused, so a greedy client learns why instead of getting less than it asked.
 */
export async function issueForNames(
  csrPem: string,
  ca: Identity,
  dnsNames: string[],
  { validDays = 397, optionalIps = [] }: IssueOptions = {},
): Promise<string> {
  if (!dnsNames.length) throw new PkiError("Cannot issue a certificate: no names given");
  const csr = await verifiedRequest(csrPem);
  const requested = requestedNames(csr);
  const extra = requested.filter((n) => !dnsNames.includes(n) && !optionalIps.includes(n));
  if (extra.length) throw new PkiError(`Cannot sign certificate request: name "${extra[0]}" is not allowed`);
  const ipAddresses = optionalIps.filter((ip) => requested.includes(ip));
  return await signLeaf(
    csr,
    ca,
    `CN=${escapeDn(dnsNames[0])}`,
    altNames({ commonName: dnsNames[0], dnsNames, ipAddresses }),
    validDays,
  );
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

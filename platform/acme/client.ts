/**
 * A small ACME (RFC 8555) client on jose and fetch: account, order, DNS-01 / HTTP-01 challenges,
 * finalize with the caller's own certificate request, download, revoke. Written here rather than
 * taking `acme-client` from npm: that one speaks through axios and Node's https agent, whereas every
 * other HTTPS call in Hearth uses fetch with Bun's `tls.ca` (how a test or `--acme` trusts pebble's
 * listener), and jose is already a dependency. The private key of the certificate never passes
 * through here: the caller hands in a signed request (CSR) only.
 */
import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair, importJWK, type JWK } from "jose";
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { base64url, sha256 } from "../../shared/crypto/mod.ts";

export class AcmeProtocolError extends Error {
  override name = "AcmeProtocolError";
  constructor(message: string, readonly type?: string) {
    super(message);
  }
}

interface Directory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert: string;
}

interface Problem {
  type?: string;
  detail?: string;
  subproblems?: Problem[];
}

export interface Challenge {
  type: string;
  url: string;
  token: string;
  status: string;
  error?: Problem;
}

interface Authorization {
  identifier: { type: string; value: string };
  status: string;
  challenges: Challenge[];
}

interface Order {
  status: string;
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: Problem;
}

/** How one challenge type is answered; `cleanup` runs whatever happened. */
export interface ChallengeSolver {
  type: "dns-01" | "http-01";
  /** `value` is the DNS-01 TXT value, or the HTTP-01 key authorization to serve at the token's path. */
  present(domain: string, token: string, value: string): Promise<void>;
  cleanup(domain: string, token: string, value: string): Promise<void>;
}

export interface AcmeClientOptions {
  directoryUrl: string;
  /** PEM bundle to trust for the ACME server (pebble's listener); the system roots otherwise. */
  caPem?: string;
  /** The account key as a private JWK (stored 0600 by the caller). */
  accountJwk: JWK;
  email?: string;
  /** How long to wait for an authorization or order to settle. */
  pollTimeoutMs?: number;
  /**
   * The fetch to use (Deno trusts `caPem` through its own client: edge/acme.ts); by default
   * the global one with Bun's `tls.ca`.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** A new ES256 account key as a private JWK (the caller stores it 0600). */
export async function newAccountJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return await exportJWK(privateKey);
}

const problemText = (p: Problem | undefined): string =>
  p
    ? [p.detail ?? p.type ?? "unknown error", ...(p.subproblems ?? []).map((s) => problemText(s))].join("; ")
    : "no detail";

/** DER bytes of the first PEM block, as base64url (what `finalize` and `revokeCert` want). */
function pemToBase64url(pem: string): string {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class AcmeClient {
  #directory: Directory | undefined;
  #nonce: string | undefined;
  #kid: string | undefined;
  #key: CryptoKey | undefined;
  #publicJwk: JWK;

  constructor(private readonly o: AcmeClientOptions) {
    const { kty, crv, x, y } = o.accountJwk;
    this.#publicJwk = { kty, crv, x, y };
  }

  #fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const timed = { ...init, signal: AbortSignal.timeout(30_000) };
    const sent = this.o.fetch
      ? this.o.fetch(url, timed)
      : fetch(url, { ...timed, ...(this.o.caPem ? { tls: { ca: this.o.caPem } } : {}) } as RequestInit);
    return sent.catch((cause) => {
      throw new AcmeProtocolError(`Cannot reach the ACME server at ${url}: ${(cause as Error).message}`);
    });
  }

  async #dir(): Promise<Directory> {
    if (this.#directory) return this.#directory;
    const res = await this.#fetch(this.o.directoryUrl);
    if (!res.ok) {
      throw new AcmeProtocolError(`ACME directory ${this.o.directoryUrl} answered HTTP ${res.status}`);
    }
    this.#directory = await res.json() as Directory;
    return this.#directory;
  }

  async #newNonce(): Promise<string> {
    const res = await this.#fetch((await this.#dir()).newNonce, { method: "HEAD" });
    const nonce = res.headers.get("replay-nonce");
    if (!nonce) throw new AcmeProtocolError("The ACME server gave no nonce");
    return nonce;
  }

  /** A signed POST (payload undefined = POST-as-GET); retries once on `badNonce`, as RFC 8555 §6.5 asks. */
  async #post(
    url: string,
    payload: unknown,
    { useJwk = false, accept }: { useJwk?: boolean; accept?: string } = {},
  ) {
    this.#key ??= await importJWK(this.o.accountJwk, "ES256") as CryptoKey;
    for (let attempt = 0;; attempt++) {
      const nonce = this.#nonce ?? await this.#newNonce();
      this.#nonce = undefined;
      const body = new TextEncoder().encode(payload === undefined ? "" : JSON.stringify(payload));
      const jws = await new FlattenedSign(body)
        .setProtectedHeader({
          alg: "ES256",
          nonce,
          url,
          ...(useJwk ? { jwk: this.#publicJwk } : { kid: await this.#account() }),
        })
        .sign(this.#key);
      const res = await this.#fetch(url, {
        method: "POST",
        headers: { "content-type": "application/jose+json", ...(accept ? { accept } : {}) },
        body: JSON.stringify(jws),
      });
      this.#nonce = res.headers.get("replay-nonce") ?? undefined;
      if (res.ok) return res;
      const problem = await res.json().catch(() => ({})) as Problem;
      if (problem.type === "urn:ietf:params:acme:error:badNonce" && attempt < 3) continue;
      throw new AcmeProtocolError(
        `ACME ${new URL(url).pathname}: ${problemText(problem)} (HTTP ${res.status})`,
        problem.type,
      );
    }
  }

  /** The account URL (`kid`); registers the account on first use (idempotent at the server). */
  async #account(): Promise<string> {
    if (this.#kid) return this.#kid;
    const res = await this.#post((await this.#dir()).newAccount, {
      termsOfServiceAgreed: true,
      ...(this.o.email ? { contact: [`mailto:${this.o.email}`] } : {}),
    }, { useJwk: true });
    const kid = res.headers.get("location");
    if (!kid) throw new AcmeProtocolError("The ACME server did not give an account URL");
    this.#kid = kid;
    return kid;
  }

  async #get<T>(url: string): Promise<T> {
    return await (await this.#post(url, undefined)).json() as T;
  }

  async #poll<T extends { status: string }>(url: string, done: (t: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + (this.o.pollTimeoutMs ?? 120_000);
    for (let wait = 250;; wait = Math.min(wait * 2, 4_000)) {
      const t = await this.#get<T>(url);
      if (done(t)) return t;
      if (Date.now() > deadline) throw new AcmeProtocolError(`${what} still "${t.status}" after waiting`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /**
   * Orders a certificate for `domains`, proves control with `solver`, finalizes with `csrPem`
   * (whose names must be exactly `domains`) and returns the PEM chain, leaf first.
   */
  async issue(domains: string[], csrPem: string, solver: ChallengeSolver): Promise<string> {
    const dir = await this.#dir();
    const created = await this.#post(dir.newOrder, {
      identifiers: domains.map((value) => ({ type: "dns", value })),
    });
    const orderUrl = created.headers.get("location");
    if (!orderUrl) throw new AcmeProtocolError("The ACME server did not give an order URL");
    const order = await created.json() as Order;
    const thumbprint = await calculateJwkThumbprint(this.#publicJwk);
    for (const authzUrl of order.authorizations) {
      const authz = await this.#get<Authorization>(authzUrl);
      if (authz.status === "valid") continue; // reused from an earlier order
      const domain = authz.identifier.value;
      const challenge = authz.challenges.find((c) => c.type === solver.type);
      if (!challenge) {
        throw new AcmeProtocolError(`The ACME server offers no ${solver.type} challenge for ${domain}`);
      }
      const keyAuthorization = `${challenge.token}.${thumbprint}`;
      const value = solver.type === "dns-01" ? base64url(await sha256(keyAuthorization)) : keyAuthorization;
      await solver.present(domain, challenge.token, value);
      try {
        await this.#post(challenge.url, {});
        const settled = await this.#poll<Authorization>(
          authzUrl,
          (a) => a.status !== "pending",
          `The authorization for ${domain}`,
        );
        if (settled.status !== "valid") {
          const failed = settled.challenges.find((c) => c.type === solver.type);
          throw new AcmeProtocolError(
            `The ${solver.type} challenge for ${domain} failed: ${problemText(failed?.error)}`,
            failed?.error?.type,
          );
        }
      } finally {
        await solver.cleanup(domain, challenge.token, value).catch(() => {});
      }
    }
    const ready = await this.#poll<Order>(orderUrl, (o) => o.status !== "pending", "The order");
    if (ready.status !== "ready" && ready.status !== "valid") {
      throw new AcmeProtocolError(`The order is "${ready.status}": ${problemText(ready.error)}`);
    }
    if (ready.status === "ready") await this.#post(ready.finalize, { csr: pemToBase64url(csrPem) });
    const valid = await this.#poll<Order>(
      orderUrl,
      (o) => o.status !== "processing" && o.status !== "ready",
      "The order",
    );
    if (valid.status !== "valid" || !valid.certificate) {
      throw new AcmeProtocolError(`The order is "${valid.status}": ${problemText(valid.error)}`);
    }
    const res = await this.#post(valid.certificate, undefined, {
      accept: "application/pem-certificate-chain",
    });
    return await res.text();
  }

  /** Revokes `certPem` (its leaf) with the account key; reason per RFC 5280 (0 = unspecified). */
  async revoke(certPem: string, reason = 0): Promise<void> {
    const leaf = new x509.X509Certificate(certPem);
    await this.#post((await this.#dir()).revokeCert, {
      certificate: base64url(new Uint8Array(leaf.rawData)),
      reason,
    });
  }
}

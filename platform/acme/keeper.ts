/**
 * Keeps a process's certificate issued by an ACME CA: obtains it when missing, not from this CA,
 * or past two thirds of its lifetime; retries failures with backoff; writes `tls.crt` next to the
 * process's own `tls.key` (which never leaves the data directory: only a request signed with it is
 * sent) and tells the listener (`onIssued`) so it can swap certificates without a restart. Its
 * state (expires when, last renewal, last error) is kept in `acme-state.json` for Settings and
 * for the next start.
 */
import { join } from "node:path";
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { CERT_FILE, ensureKeyAndRequest, KEY_FILE } from "../identity.ts";
import { readTextIfExists, writePublicFile, writeSecretFile } from "../files.ts";
import { Backoff } from "../../shared/backoff.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { certificateMatchesKey } from "../../shared/pki/mod.ts";
import { AcmeClient, type AcmeClientOptions, type ChallengeSolver, newAccountJwk } from "./client.ts";

export const ACME_STATE_FILE = "acme-state.json";
export const ACME_ACCOUNT_FILE = "acme-account.json";

export interface AcmeState {
  directoryUrl: string;
  /** The certificate in place, when it came from this ACME CA. */
  serial?: string;
  notBefore?: number;
  notAfter?: number;
  /** When the certificate in place was issued (ms), and when renewal is due. */
  lastRenewalAt?: number;
  renewAt?: number;
  /** The last failure, cleared by the next success. */
  lastError?: string;
  lastErrorAt?: number;
  failures: number;
  /** When the next attempt runs (a renewal, or a retry after a failure). */
  nextAttemptAt?: number;
  revokedAt?: number;
  /** True while an order is in progress. */
  busy: boolean;
}

export interface KeeperOptions {
  dataDir: string;
  /** Exactly the names ordered and put in the request (ACME CAs refuse IP addresses). */
  domains: string[];
  directoryUrl: string;
  caPem?: string;
  email?: string;
  solver: ChallengeSolver;
  /** Share of the lifetime after which the certificate is renewed (2/3). */
  renewAtFraction?: number;
  /** Backoff after a failure: first ceiling, and the cap (ms). */
  retryBaseMs?: number;
  retryCapMs?: number;
  onIssued?: (tls: { key: string; cert: string }) => void | Promise<void>;
  /** The fetch for the ACME server (see AcmeClientOptions.fetch). */
  fetch?: AcmeClientOptions["fetch"];
  log: Logger;
}

function serialOf(certPem: string): { serial: string; notBefore: number; notAfter: number } {
  const c = new x509.X509Certificate(certPem);
  return { serial: c.serialNumber, notBefore: c.notBefore.getTime(), notAfter: c.notAfter.getTime() };
}

export class CertificateKeeper {
  #state: AcmeState;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #backoff: Backoff;
  #client: AcmeClient | undefined;

  constructor(private readonly o: KeeperOptions) {
    this.#backoff = new Backoff(o.retryBaseMs ?? 300_000, o.retryCapMs ?? 6 * 3_600_000);
    const saved = JSON.parse(readTextIfExists(join(o.dataDir, ACME_STATE_FILE)) ?? "null") as
      | AcmeState
      | null;
    this.#state = saved?.directoryUrl === o.directoryUrl
      ? { ...saved, busy: false }
      : { directoryUrl: o.directoryUrl, failures: 0, busy: false };
  }

  get state(): AcmeState {
    return { ...this.#state };
  }

  /** When the certificate in place must be replaced (now, when it is not this CA's or is missing). */
  async #dueAt(): Promise<number> {
    const cert = readTextIfExists(join(this.o.dataDir, CERT_FILE));
    const key = readTextIfExists(join(this.o.dataDir, KEY_FILE));
    if (!cert || !key || this.#state.revokedAt) return 0;
    const { serial, notBefore, notAfter } = serialOf(cert);
    if (serial !== this.#state.serial || !(await certificateMatchesKey(cert, key))) return 0;
    return notBefore + (notAfter - notBefore) * (this.o.renewAtFraction ?? 2 / 3);
  }

  /** Checks now and keeps checking: renews when due, retries with backoff after a failure. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** No more attempts; an order in flight is left to finish (or not) without touching the listeners. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    // setTimeout holds at most 2^31-1 ms (~24.8 days): wake up and look again.
    this.#timer = setTimeout(() => void this.#tick(), Math.min(delayMs, 2 ** 31 - 1));
  }

  async #tick(): Promise<void> {
    // An unreadable certificate counts as none: order a new one.
    const due = await this.#dueAt().catch(() => 0);
    if (due > Date.now()) {
      this.#save({ renewAt: due, nextAttemptAt: due });
      return this.#schedule(due - Date.now());
    }
    await this.renewNow().catch(() => {});
  }

  /** Orders a certificate now (Settings' "Renew now", tests); rejects with the failure, which the state keeps. */
  renewNow(): Promise<void> {
    this.#running ??= this.#issue().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #issue(): Promise<void> {
    this.#save({ busy: true });
    try {
      const csr = await ensureKeyAndRequest(this.o.dataDir, {
        commonName: this.o.domains[0],
        dnsNames: this.o.domains,
      });
      const chain = await (await this.#acme()).issue(this.o.domains, csr, this.o.solver);
      writePublicFile(join(this.o.dataDir, CERT_FILE), chain);
      const { serial, notBefore, notAfter } = serialOf(chain);
      const renewAt = notBefore + (notAfter - notBefore) * (this.o.renewAtFraction ?? 2 / 3);
      this.#backoff.reset();
      this.#save({
        serial,
        notBefore,
        notAfter,
        renewAt,
        lastRenewalAt: Date.now(),
        lastError: undefined,
        lastErrorAt: undefined,
        failures: 0,
        revokedAt: undefined,
        nextAttemptAt: renewAt,
        busy: false,
      });
      this.o.log.info("ACME certificate issued", {
        names: this.o.domains,
        notAfter: new Date(notAfter).toISOString(),
        renewAt: new Date(renewAt).toISOString(),
      });
      if (!this.#stopped) {
        await this.o.onIssued?.({ key: readTextIfExists(join(this.o.dataDir, KEY_FILE))!, cert: chain });
      }
      this.#schedule(renewAt - Date.now());
    } catch (e) {
      const delay = Math.max(1_000, this.#backoff.next());
      const message = e instanceof Error ? e.message : String(e);
      this.#save({
        lastError: message,
        lastErrorAt: Date.now(),
        failures: this.#state.failures + 1,
        nextAttemptAt: Date.now() + delay,
        busy: false,
      });
      this.o.log.warn("ACME certificate order failed; retrying later", {
        error: message,
        retryInMs: delay,
        failures: this.#state.failures,
      });
      this.#schedule(delay);
      throw e;
    }
  }

  /** Revokes the certificate in place (its key is kept); the keeper then orders a new one. */
  async revoke(): Promise<void> {
    const cert = readTextIfExists(join(this.o.dataDir, CERT_FILE));
    if (!cert) throw new Error(`No certificate in ${this.o.dataDir} to revoke`);
    await (await this.#acme()).revoke(cert);
    this.#save({ revokedAt: Date.now() });
    this.o.log.info("ACME certificate revoked", { serial: serialOf(cert).serial });
  }

  async #acme(): Promise<AcmeClient> {
    if (this.#client) return this.#client;
    const file = join(this.o.dataDir, ACME_ACCOUNT_FILE);
    let account = JSON.parse(readTextIfExists(file) ?? "null");
    if (account?.directoryUrl !== this.o.directoryUrl) {
      account = { directoryUrl: this.o.directoryUrl, jwk: await newAccountJwk() };
      writeSecretFile(file, JSON.stringify(account) + "\n");
    }
    this.#client = new AcmeClient({
      directoryUrl: this.o.directoryUrl,
      caPem: this.o.caPem,
      accountJwk: account.jwk,
      email: this.o.email,
      fetch: this.o.fetch,
    });
    return this.#client;
  }

  #save(patch: Partial<AcmeState>): void {
    this.#state = { ...this.#state, ...patch };
    writePublicFile(join(this.o.dataDir, ACME_STATE_FILE), JSON.stringify(this.#state, null, 2) + "\n");
  }
}

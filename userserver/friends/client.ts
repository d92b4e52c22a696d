/**
 * Calls to other Hearth servers: every request signed with this server's key (HTTP Message
 * Signatures, RFC 9421: shared/httpsig), sent to `https://<name>.<zone>` through a relay that
 * carries it — TLS from here to that server, the relay reads nothing — and time-boxed, so a slow
 * or offline friend costs a bounded wait and never more.
 */
import { signRequest } from "../../shared/httpsig/mod.ts";
import { PeerDirectory, PeerLookupError } from "./directory.ts";

export class PeerUnavailableError extends Error {
  override name = "PeerUnavailableError";
}

export interface PeerCallOptions {
  method?: "GET" | "POST" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as they are (application/octet-stream); a POST. */
  bytes?: Uint8Array;
  /** The whole call, connection included (default 4 s). */
  timeoutMs?: number;
  /** More headers (lowercase names), e.g. `range`. */
  headers?: Record<string, string>;
}

export interface PeerClientOptions {
  /** This server's user name: the key id its signatures carry. */
  self: string;
  zone: string;
  privateKey: CryptoKey;
  directory: PeerDirectory;
  /** The CA that signs user servers' certificates, where it is not a public one (dev, tests). */
  caPem?: string;
}

export class PeerClient {
  constructor(private readonly o: PeerClientOptions) {}

  get directory(): PeerDirectory {
    return this.o.directory;
  }

  /**
   * `path` on the server named `name`; the response whatever its status. Throws
   * PeerUnavailableError when no relay carries it, or none answered in time.
   */
  async call(name: string, path: string, opts: PeerCallOptions = {}): Promise<Response> {
    const hasBody = opts.json !== undefined || opts.bytes !== undefined;
    const { method = hasBody ? "POST" : "GET", timeoutMs = 4_000 } = opts;
    const deadline = AbortSignal.timeout(timeoutMs);
    let location;
    try {
      location = await this.o.directory.lookUp(name);
    } catch (e) {
      if (e instanceof PeerLookupError) throw new PeerUnavailableError(e.message);
      throw e;
    }
    if (location.routes.length === 0) throw new PeerUnavailableError(`${name}'s server is offline`);
    const body: Uint8Array | string = opts.bytes ??
      (opts.json === undefined ? "" : JSON.stringify(opts.json));
    const url = new URL(path, "https://peer.invalid");
    const host = `${name}.${this.o.zone}`;
    let last: unknown;
    for (const route of location.routes) {
      if (deadline.aborted) break;
      const authority = `${host}:${route.port}`;
      const headers: Record<string, string> = {
        ...opts.headers,
        ...(opts.bytes
          ? { "content-type": "application/octet-stream" }
          : body
          ? { "content-type": "application/json" }
          : {}),
      };
      const signed = await signRequest(
        { method, authority, path: url.pathname, query: url.search, headers, body },
        { keyId: this.o.self, privateKey: this.o.privateKey },
      );
      try {
        return await fetch(
          `https://${
            route.address.includes(":") ? `[${route.address}]` : route.address
          }:${route.port}${url.pathname}${url.search}`,
          {
            method,
            headers: { ...headers, ...signed, host: authority },
            body: body.length ? body as BodyInit : undefined,
            redirect: "manual",
            signal: deadline,
            tls: { serverName: host, ...(this.o.caPem ? { ca: this.o.caPem } : {}) },
          } as RequestInit,
        );
      } catch (e) {
        last = e;
      }
    }
    this.o.directory.forget(name);
    throw new PeerUnavailableError(
      deadline.aborted
        ? `${name}'s server did not answer within ${timeoutMs / 1000} s`
        : `${name}'s server cannot be reached: ${(last as Error)?.message ?? "no relay answered"}`,
    );
  }

  /** A JSON call that must succeed (2xx); its body parsed. */
  async json<T>(
    name: string,
    path: string,
    opts: PeerCallOptions = {},
  ): Promise<{ status: number; body: T }> {
    const res = await this.call(name, path, opts);
    let body: T;
    try {
      body = await res.json() as T;
    } catch {
      throw new PeerUnavailableError(`${name}'s server answered HTTP ${res.status} without JSON`);
    }
    return { status: res.status, body };
  }
}

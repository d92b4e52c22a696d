/**
 * Who signed a request from another Hearth server: the door's side of RFC 9421 (shared/httpsig).
 * The key is the one pinned when the relation started, or — for a server not known here yet (a
 * friend request) — the one RegCloud holds for its name. A signature the pinned key refuses while
 * RegCloud names another key is recorded as a key change for the owner to see; the request is
 * refused. Each nonce works once; after a restart only signatures made since then count, so a
 * request captured before it cannot be replayed into the emptied nonce memory.
 */
import type { Context } from "hono";
import { HttpSigError, importPublicJwk, verifyRequest } from "../../shared/httpsig/mod.ts";
import type { PeerDirectory } from "./directory.ts";
import type { Relations } from "./relations.ts";
import { PEER_CHUNK_BYTES } from "./peer_uploads.ts";

/** The path prefix of the server-to-server API: only requests under it are looked at. */
export const PEER_API = "/api/peer/v1";
/** A signed body is read whole to check its digest: at most one upload chunk and a little. */
const MAX_SIGNED_BODY = PEER_CHUNK_BYTES + 64 * 1024;
const NONCE_MEMORY = 100_000;

/** The other server a request came from, once its signature is verified. */
const verified = new WeakMap<Request, string>();

/** The server name that signed this request (verified by `PeerDoor.recognise`), if any. */
export function signedBy(c: Context): string | undefined {
  return verified.get(c.req.raw);
}

export class PeerDoor {
  readonly #nonces = new Map<string, number>();
  readonly #startedAtS: number;

  constructor(
    private readonly o: {
      self: string;
      zone: string;
      relations: Relations;
      directory: PeerDirectory;
      now?: () => number;
      onRefused?: (why: string, from: string | undefined) => void;
    },
  ) {
    this.#startedAtS = Math.floor(this.#nowMs() / 1000);
  }

  #nowMs(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The verified sender of a signed request to the peer API, or undefined (not signed, or refused). */
  async recognise(c: Context): Promise<string | undefined> {
    if (!c.req.path.startsWith(`${PEER_API}/`) || !c.req.header("signature-input")) return undefined;
    const url = new URL(c.req.url);
    const host = c.req.header("host") ?? "";
    // Signed for this server (a request meant for another cannot be replayed here).
    if (host.replace(/:\d+$/, "").toLowerCase() !== `${this.o.self}.${this.o.zone}`) return undefined;
    // The body is read whole to check its digest: only a declared, bounded length is read (a
    // chunked body of unknown size is never buffered).
    if (c.req.header("transfer-encoding")) return undefined;
    if (Number(c.req.header("content-length") ?? 0) > MAX_SIGNED_BODY) return undefined;
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_SIGNED_BODY) return undefined;
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => (headers[k] = v));
    let keyOf: string | undefined;
    try {
      const { keyId, created } = await verifyRequest(
        {
          method: c.req.method,
          authority: host.toLowerCase(),
          path: url.pathname,
          query: url.search,
          headers,
          body,
        },
        {
          now: Math.floor(this.#nowMs() / 1000),
          lookupKey: async (keyId) => {
            keyOf = keyId;
            return await this.#keyOf(keyId);
          },
          rememberNonce: (keyId, nonce, expiresAtS) =>
            Promise.resolve(this.#remember(keyId, nonce, expiresAtS)),
        },
      );
      // The nonce memory starts empty at each start: only signatures made since then count.
      if (created < this.#startedAtS) throw new HttpSigError("Signature was made before this server started");
      verified.set(c.req.raw, keyId);
      return keyId;
    } catch (e) {
      if (!(e instanceof HttpSigError)) throw e;
      if (keyOf) await this.#noticeKeyChange(keyOf);
      this.o.onRefused?.(e.message, keyOf);
      return undefined;
    }
  }

  async #keyOf(name: string): Promise<CryptoKey | undefined> {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) return undefined;
    const relation = await this.o.relations.get(name);
    if (relation) return await importPublicJwk(JSON.parse(relation.publicKeyJwk));
    try {
      return await importPublicJwk((await this.o.directory.lookUp(name)).publicKeyJwk);
    } catch {
      return undefined;
    }
  }

  /** A pinned key refused a signature: if RegCloud now names another key, the owner is shown it. */
  async #noticeKeyChange(name: string): Promise<void> {
    const relation = await this.o.relations.get(name);
    if (!relation) return;
    try {
      const current = (await this.o.directory.lookUp(name, { fresh: true })).publicKeyJwk;
      const pinned = JSON.parse(relation.publicKeyJwk) as JsonWebKey;
      if (current.x !== pinned.x || current.y !== pinned.y) await this.o.relations.keyChanged(name, current);
    } catch {
      // RegCloud unreachable: nothing to compare with now.
    }
  }

  /** False for a nonce seen before (or while the memory is full of live ones). */
  #remember(keyId: string, nonce: string, expiresAtS: number): boolean {
    const now = Math.floor(this.#nowMs() / 1000);
    const key = `${keyId} ${nonce}`;
    if (this.#nonces.has(key)) return false;
    if (this.#nonces.size >= NONCE_MEMORY) {
      for (const [k, until] of this.#nonces) if (until < now) this.#nonces.delete(k);
      // Still full of live nonces: refuse rather than forget one (a flood, not a friend).
      if (this.#nonces.size >= NONCE_MEMORY) return false;
    }
    this.#nonces.set(key, expiresAtS);
    return true;
  }
}

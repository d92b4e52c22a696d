/**
 * Where other Hearth servers are: their public key and the relays carrying them, asked of RegCloud
 * directly (a server-signed request to the cloud tier, never through a relay — so no relay can
 * hand out another key) and kept for a short while.
 */
import { type CloudAccess, CloudRequestError, signedCloudPost } from "../connector/cloud.ts";

export interface PeerRoute {
  address: string;
  port: number;
}

export interface PeerLocation {
  name: string;
  publicKeyJwk: JsonWebKey;
  routes: PeerRoute[];
}

export class PeerLookupError extends Error {
  override name = "PeerLookupError";
  constructor(message: string, readonly kind: "unknown" | "unreachable") {
    super(message);
  }
}

const KEEP_MS = 15_000;

export class PeerDirectory {
  readonly #cache = new Map<string, { at: number; location: PeerLocation }>();

  constructor(
    private readonly cloud: CloudAccess | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server named `name` (its key, the relays carrying it now); `fresh` skips the short cache. */
  async lookUp(name: string, { fresh = false } = {}): Promise<PeerLocation> {
    const kept = this.#cache.get(name);
    if (!fresh && kept && this.now() - kept.at < KEEP_MS) return kept.location;
    if (!this.cloud) {
      throw new PeerLookupError(
        "This server is not registered yet, so it cannot reach other servers",
        "unreachable",
      );
    }
    let res: Response;
    try {
      res = await signedCloudPost(this.cloud, "/reg/v1/server/peer", { name });
    } catch (e) {
      if (e instanceof CloudRequestError) throw new PeerLookupError(e.message, "unreachable");
      throw e;
    }
    if (res.status === 404) throw new PeerLookupError(`There is no Hearth server named "${name}"`, "unknown");
    if (!res.ok) {
      throw new PeerLookupError(`RegCloud could not look up "${name}" (HTTP ${res.status})`, "unreachable");
    }
    const location = await res.json() as PeerLocation;
    this.#cache.set(name, { at: this.now(), location });
    return location;
  }

  /** Forgets what is known of `name` (its relays moved: a call failed). */
  forget(name: string): void {
    this.#cache.delete(name);
  }
}

/**
 * "Copy to my files": a friend's file fetched into this server's store — a real transfer, resumed
 * where it stopped (the partial file stays under `<dataDir>/friend-copies/` and the next attempt
 * asks for the rest with a Range), verified against the SHA-256 the friend's server listed before
 * it becomes an item, and added under a free name (never over a file of mine).
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Core } from "../core/mod.ts";
import { FileOps } from "../files/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import type { PeerClient } from "./client.ts";
import { PEER_API } from "./door.ts";
import type { PeerItem } from "./shared_items.ts";

export class CopyError extends Error {
  override name = "CopyError";
}

/** How long one attempt may take before it stops (and the next resumes): generous, the file may be large. */
const ATTEMPT_MS = 30 * 60_000;

export class Copier {
  readonly #dir: string;
  readonly #ops: FileOps;
  /** Copies running now, by `<friend>/<item>`: a second click joins the first. */
  readonly #running = new Map<string, Promise<string>>();

  constructor(private readonly core: Core, private readonly client: PeerClient) {
    this.#dir = join(core.config.current.dataDir, "friend-copies");
    this.#ops = new FileOps(core.db, core.store, core.signals);
  }

  /** Copies `item` of `friend`'s into my Home; the new item's id. */
  copy(friend: string, item: PeerItem): Promise<string> {
    const key = `${friend}/${item.id}`;
    const running = this.#running.get(key);
    if (running) return running;
    const p = this.#copy(friend, item).finally(() => this.#running.delete(key));
    this.#running.set(key, p);
    return p;
  }

  async #copy(friend: string, item: PeerItem): Promise<string> {
    if (item.kind !== "file" || !item.hash || !/^[0-9a-f]{64}$/.test(item.hash)) {
      throw new CopyError("Only files can be copied");
    }
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const part = join(this.#dir, `${friend}-${item.id}-${item.hash.slice(0, 16)}.part`);
    let have = 0;
    try {
      have = statSync(part).size;
    } catch { /* a first attempt */ }
    if (have > item.size) {
      rmSync(part, { force: true });
      have = 0;
    }
    if (have < item.size) await this.#fetchRest(friend, item, part, have);
    const hasher = new Bun.CryptoHasher("sha256");
    for await (const chunk of Bun.file(part).stream()) hasher.update(chunk);
    const hash = hasher.digest("hex");
    if (hash !== item.hash) {
      rmSync(part, { force: true });
      throw new CopyError(
        `The copy of ${item.name} did not match its checksum; it was discarded. Try again.`,
      );
    }
    const name = await this.#ops.freeName(ROOT_ID, item.name, "");
    const added = await this.core.store.adoptFile(ROOT_ID, name, part, {
      mtime: item.mtime,
      type: item.type,
      known: { hash, size: item.size },
    });
    return added.item.id;
  }

  /** Appends the bytes from `have` on to `part`. */
  async #fetchRest(friend: string, item: PeerItem, part: string, have: number): Promise<void> {
    const res = await this.client.call(friend, `${PEER_API}/items/${item.id}/content`, {
      timeoutMs: ATTEMPT_MS,
      headers: have > 0 ? { range: `bytes=${have}-`, "if-range": `"${item.hash}"` } : {},
    });
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new CopyError(`${friend}'s server would not send ${item.name} (HTTP ${res.status})`);
    }
    // A 200 is the whole file again (the friend's copy changed, or no range support): start over.
    const fd = openSync(part, res.status === 206 ? "a" : "w", 0o600);
    try {
      for await (const chunk of res.body!) {
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
      }
    } finally {
      closeSync(fd);
    }
    if (statSync(part).size !== item.size) {
      throw new CopyError(`The transfer of ${item.name} stopped early; copying again resumes it`);
    }
  }
}

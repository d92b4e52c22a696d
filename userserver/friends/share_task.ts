/**
 * The share task: on start and every `intervalMs`, ping each friend (`/hello`, time-boxed) and ask
 * those whose shares I may read for them (`/shared`), keeping the answer in `friend_shares`. Pages
 * read only what is kept here and the last ping's result — never a friend's server — so an offline
 * or slow friend adds nothing to this server's own pages. Pings run in parallel, off any request.
 */
import { and, eq, notInArray } from "drizzle-orm";
import type { Logger } from "../../shared/log/mod.ts";
import { friendShares } from "../../shared/db/userserver/schema.ts";
import type { UserDb } from "../database/mod.ts";
import { type PeerClient, PeerUnavailableError } from "./client.ts";
import { PEER_API } from "./door.ts";
import { mayReadTheirs, type Relations, type RelationState } from "./relations.ts";
import type { PeerItem } from "./shared_items.ts";

export interface FriendStatus {
  online: boolean;
  checkedAt: number;
  /** Why the last ping failed. */
  error?: string;
}

const PING_TIMEOUT_MS = 3_000;
const LIST_TIMEOUT_MS = 6_000;

export class ShareTask {
  readonly #status = new Map<string, FriendStatus>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly o: {
      db: UserDb;
      relations: Relations;
      client: PeerClient;
      log: Logger;
      intervalMs: number;
      now?: () => number;
    },
  ) {}

  #now(): number {
    return (this.o.now ?? Date.now)();
  }

  start(): void {
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.o.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The last ping's answer for `name`; undefined before the first. */
  status(name: string): FriendStatus | undefined {
    return this.#status.get(name);
  }

  /** One round over every relation (a round already running is joined, not doubled). */
  runOnce(): Promise<void> {
    this.#running ??= this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** One friend now (after the owner changed something about them). */
  async refresh(name: string): Promise<void> {
    await this.#visit(name);
  }

  async #round(): Promise<void> {
    const all = await this.o.relations.list();
    await Promise.all(all.map((r) => this.#visit(r.name)));
  }

  async #visit(name: string): Promise<void> {
    try {
      const { status, body } = await this.o.client.json<{ state?: RelationState | "none" }>(
        name,
        `${PEER_API}/hello`,
        { timeoutMs: PING_TIMEOUT_MS },
      );
      if (status !== 200) throw new PeerUnavailableError(`${name}'s server answered HTTP ${status}`);
      this.#status.set(name, { online: true, checkedAt: this.#now() });
      await this.#follow(name, body.state ?? "none");
      const r = await this.o.relations.get(name);
      if (mayReadTheirs(r)) await this.#fetchShares(name);
      else await this.#keep(name, []);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.#status.set(name, { online: false, checkedAt: this.#now(), error });
      if (!(e instanceof PeerUnavailableError)) {
        this.o.log.warn("friend check failed", { friend: name, error });
      }
    }
  }

  /** The other side says the relation is over (it ended it while this server was away). */
  async #follow(name: string, theirs: RelationState | "none"): Promise<void> {
    const r = await this.o.relations.get(name);
    if (!r || theirs !== "none") return;
    // A request of ours they have not stored is gone on their side too; a friendship as well.
    await this.o.relations.remove(name);
    await this.#keep(name, []);
    this.o.log.info("relation ended by the other server", { friend: name, was: r.state });
  }

  async #fetchShares(name: string): Promise<void> {
    const { status, body } = await this.o.client.json<{ items?: PeerItem[] }>(name, `${PEER_API}/shared`, {
      timeoutMs: LIST_TIMEOUT_MS,
    });
    if (status !== 200 || !Array.isArray(body.items)) {
      throw new PeerUnavailableError(`${name}'s server would not list its shares (HTTP ${status})`);
    }
    await this.#keep(name, body.items.slice(0, 10_000));
  }

  /** Replaces what is kept of `name`'s shares with `items`. */
  async #keep(name: string, items: PeerItem[]): Promise<void> {
    const at = this.#now();
    const rows = items.filter(valid).map((i) => ({
      friend: name,
      itemId: i.id,
      name: i.name,
      kind: i.kind,
      type: i.type,
      size: i.size,
      mtime: i.mtime,
      access: i.access,
      hasThumb: i.kind === "file" && /^(image|video)\//.test(i.type),
      fetchedAt: at,
    }));
    const ids = rows.map((r) => r.itemId);
    await this.o.db.write(() =>
      this.o.db.orm.batch([
        this.o.db.orm.delete(friendShares).where(
          ids.length
            ? and(eq(friendShares.friend, name), notInArray(friendShares.itemId, ids))
            : eq(friendShares.friend, name),
        ),
        ...rows.map((r) =>
          this.o.db.orm.insert(friendShares).values(r).onConflictDoUpdate({
            target: [friendShares.friend, friendShares.itemId],
            set: r,
          })
        ),
      ])
    );
  }
}

/** A friend's answer is input like any other: only well-formed items are kept. */
function valid(i: PeerItem): boolean {
  return typeof i?.id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(i.id) && typeof i.name === "string" &&
    i.name.length > 0 && i.name.length <= 255 && (i.kind === "file" || i.kind === "folder") &&
    typeof i.type === "string" && i.type.length <= 255 && Number.isFinite(i.size) && i.size >= 0 &&
    Number.isFinite(i.mtime) && (i.access === "read" || i.access === "write");
}

/**
 * The activity stream: what happened, by whom, where, when — coalesced. Events of one kind by one
 * actor in one place that follow each other within `COALESCE_MS` join one entry with a count, so an
 * import of 10,000 photos is one row ("10,000 files added to Photos"), not 10,000 (Nextcloud's
 * activity table grows to hundreds of GB, activity#591). Open bursts live in memory and are written
 * at most once a second each; entries older than the retention are swept.
 */
import { and, desc, eq, lt, or } from "drizzle-orm";
import { activity } from "../../shared/db/userserver/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { UserDb } from "../database/mod.ts";

export const COALESCE_MS = 60_000;
const FLUSH_MS = 1000;

export type ActivityEntry = typeof activity.$inferSelect;

export interface ActivityEvent {
  kind: string;
  actorKind: "owner" | "device" | "link" | "friend";
  actor: string;
  /** Where the burst is grouped: a folder for file changes, the item for links and comments. */
  placeId: string;
  itemId: string;
  /** The entry's title for `count` events (called again as the count grows). */
  title(count: number): string;
  at: number;
}

interface Burst {
  entry: ActivityEntry;
  title: (count: number) => string;
  dirty: boolean;
  written: boolean;
}

export class ActivityStream {
  readonly #open = new Map<string, Burst>();
  /** Bursts a newer burst of the same key replaced before they were written. */
  #closing: Burst[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: UserDb, private readonly now: () => number = Date.now) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), FLUSH_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  record(e: ActivityEvent): void {
    const key = `${e.kind}\u0000${e.actorKind}\u0000${e.actor}\u0000${e.placeId}`;
    const open = this.#open.get(key);
    if (open && e.at - open.entry.lastAt <= COALESCE_MS) {
      open.entry.count++;
      open.entry.lastAt = e.at;
      open.entry.lastItemId = e.itemId;
      open.entry.title = open.title(open.entry.count);
      open.dirty = true;
      return;
    }
    if (open?.dirty) this.#closing.push(open);
    this.#open.set(key, {
      entry: {
        id: randomToken(12),
        kind: e.kind,
        actorKind: e.actorKind,
        actor: e.actor,
        itemId: e.placeId,
        lastItemId: e.itemId,
        title: e.title(1),
        count: 1,
        firstAt: e.at,
        lastAt: e.at,
      },
      title: e.title,
      dirty: true,
      written: false,
    });
  }

  /** Writes every changed burst; forgets bursts that can no longer grow. */
  flush(): Promise<void> {
    const run = this.#flushing.then(async () => {
      const t = this.now();
      const dirty = [...this.#closing.splice(0), ...this.#open.values()].filter((b) => b.dirty);
      for (const b of dirty) b.dirty = false;
      const writes = dirty.map((b) => {
        const { id: _id, ...rest } = b.entry;
        return b.written
          ? this.db.orm.update(activity).set(rest).where(eq(activity.id, b.entry.id))
          : this.db.orm.insert(activity).values({ ...b.entry });
      });
      if (writes.length > 0) {
        await this.db.write(() => this.db.orm.batch([writes[0]!, ...writes.slice(1)]));
        for (const b of dirty) b.written = true;
      }
      for (const [key, b] of this.#open) {
        if (!b.dirty && t - b.entry.lastAt > COALESCE_MS) this.#open.delete(key);
      }
    });
    this.#flushing = run.catch(() => {});
    return run;
  }

  /** Newest first; by kind and by item (the place or the last item touched). */
  async list({ kind, itemId, limit = 100 }: { kind?: string; itemId?: string; limit?: number } = {}): Promise<
    ActivityEntry[]
  > {
    await this.flush();
    const where = and(
      kind ? eq(activity.kind, kind) : undefined,
      itemId ? or(eq(activity.itemId, itemId), eq(activity.lastItemId, itemId)) : undefined,
    );
    return await this.db.orm.select().from(activity).where(where).orderBy(desc(activity.lastAt)).limit(limit)
      .all();
  }

  /** Removes entries whose last event is older than `days`. */
  async sweep(days: number): Promise<number> {
    const rows = await this.db.write(() =>
      this.db.orm.delete(activity).where(lt(activity.lastAt, this.now() - days * 86_400_000)).returning({
        id: activity.id,
      })
    );
    return rows.length;
  }
}

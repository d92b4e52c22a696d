/**
 * Notifications: persistent, seen or unseen, raised from signals (an import finished, a module
 * reported an error). Every change publishes `notification.changed` with the unseen count,
 * which the web module pushes to open pages over SSE.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { UserDb } from "../database/mod.ts";
import { notifications } from "../../shared/db/userserver/schema.ts";
import type { Signals } from "../signals/mod.ts";

export type Notification = typeof notifications.$inferSelect;
export interface NewNotification {
  kind: string;
  level?: "info" | "error";
  title: string;
  body?: string;
  link?: string;
}

export class Notifications {
  #off: Array<() => void> = [];

  constructor(
    private readonly db: UserDb,
    private readonly signals: Signals,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes to the signals that raise notifications. */
  start(): void {
    this.#off.push(
      this.signals.on("import.finished", async function notifyImport(this: void, p) {
        await raise({
          kind: "import",
          level: p.status === "failed" ? "error" : "info",
          title: p.status === "done"
            ? `Import finished: ${p.filesDone} file${p.filesDone === 1 ? "" : "s"} from ${baseName(p.source)}`
            : p.status === "cancelled"
            ? `Import cancelled: ${p.filesDone} file${p.filesDone === 1 ? "" : "s"} from ${
              baseName(p.source)
            } kept`
            : `Import of ${baseName(p.source)} failed`,
          body: [
            p.filesDeduped ? `${p.filesDeduped} already stored (not stored twice)` : "",
            p.skipped ? `${p.skipped} skipped` : "",
            p.error ?? "",
          ].filter(Boolean).join(" · "),
          link: `/add/jobs/${p.id}`,
        });
      }),
      this.signals.on("error", async function notifyError(this: void, p) {
        await raise({ kind: "error", level: "error", title: `Problem in ${p.module}`, body: p.message });
      }),
    );
    const raise = (n: NewNotification) => this.create(n);
  }

  stop(): void {
    for (const off of this.#off.splice(0)) off();
  }

  async create(n: NewNotification): Promise<Notification> {
    const row: Notification = {
      id: randomToken(12),
      kind: n.kind,
      level: n.level ?? "info",
      title: n.title,
      body: n.body ?? "",
      link: n.link ?? null,
      seen: false,
      createdAt: this.now(),
    };
    await this.db.write(() => this.db.orm.insert(notifications).values(row));
    await this.#changed();
    return row;
  }

  async list({ limit = 50 }: { limit?: number } = {}): Promise<Notification[]> {
    return await this.db.orm.select().from(notifications).orderBy(
      desc(notifications.createdAt),
      desc(notifications.id),
    )
      .limit(limit).all();
  }

  async unseenCount(): Promise<number> {
    const r = await this.db.orm.select({ n: sql<number>`count(*)` }).from(notifications)
      .where(eq(notifications.seen, false)).get();
    return r?.n ?? 0;
  }

  /** Returns false when there is no such notification. */
  async markSeen(id: string): Promise<boolean> {
    const rows = await this.db.write(() =>
      this.db.orm.update(notifications).set({ seen: true }).where(eq(notifications.id, id)).returning({
        id: notifications.id,
      })
    );
    await this.#changed();
    return rows.length > 0;
  }

  async markAllSeen(): Promise<void> {
    await this.db.write(() =>
      this.db.orm.update(notifications).set({ seen: true }).where(eq(notifications.seen, false))
    );
    await this.#changed();
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.write(() =>
      this.db.orm.delete(notifications).where(and(eq(notifications.id, id))).returning({
        id: notifications.id,
      })
    );
    await this.#changed();
    return rows.length > 0;
  }

  async #changed(): Promise<void> {
    void this.signals.emit("notification.changed", { unseen: await this.unseenCount() });
  }
}

function baseName(p: string): string {
  return p.split("/").filter(Boolean).at(-1) ?? p;
}
export { notificationsPlugin } from "./plugin.tsx";

/**
 * Activity, a plugin: one stream of uploads, edits, moves, deletes, shares, link visits,
 * downloads and uploads, and comments, from the platform's signals — coalesced (stream.ts),
 * filterable by kind and item, shown on its own page (`/activity`, a place beside Browse) and on
 * each file's page, kept `activityRetentionDays` (swept at start and daily).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellApp, ShellEnv } from "../plugins/mod.ts";
import { page } from "../files/_http.tsx";
import { currentActor } from "../signals/mod.ts";
import { type ActivityEvent, ActivityStream } from "./stream.ts";
import { ActivityList, ActivityPage, KINDS } from "./views.tsx";

const SWEEP_MS = 86_400_000;

export interface ActivityModule {
  plugin: Plugin;
  stream: ActivityStream;
  /** The recent activity of one item (a section of its page). */
  section(c: Context<ShellEnv>, itemId: string): Promise<ReturnType<typeof ActivityList>>;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function createActivity(core: Core): ActivityModule {
  const stream = new ActivityStream(core.db);
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const nameOf = async (
    id: string,
  ) => (id === "root" ? "Home" : (await core.store.items.get(id))?.name ?? "a folder");
  const owner = { actorKind: "owner" as const, actor: core.config.current.name };
  /** Who caused the signal being handled: the request's viewer, or the owner for the server's own work. */
  const by = () => {
    const a = currentActor();
    return a ? { actorKind: a.kind, actor: a.name } : owner;
  };

  const app = (): ShellApp => {
    const a = new Hono<ShellEnv>();
    a.get("/activity", async (c) => {
      const kind = KINDS.some((k) => k.id === c.req.query("kind")) ? c.req.query("kind") : undefined;
      const itemId = c.req.query("item") || undefined;
      const entries = await stream.list({ kind, itemId, limit: 200 });
      return page(c, "Activity", <ActivityPage entries={entries} kind={kind} itemId={itemId} />);
    });
    return a;
  };

  return {
    stream,
    section: async (_c, itemId) =>
      ActivityList({ entries: await stream.list({ itemId, limit: 20 }), compact: true }),
    plugin: {
      id: "activity",
      places: [{ label: "Activity", path: "/activity", icon: "clock", order: 80 }],
      activityKinds: KINDS.map((k) => ({ ...k, icon: "file" })),
      app,
      start: async () => {
        stream.start();
        const sweep = () =>
          stream.sweep(core.config.current.activityRetentionDays).catch((e) =>
            core.log.warn("activity sweep failed", { error: String(e) })
          );
        await sweep();
        sweeper = setInterval(sweep, SWEEP_MS);
      },
      stop: async () => {
        clearInterval(sweeper);
        await stream.stop();
      },
      subscribe(signals) {
        const at = () => Date.now();
        const record = (e: ActivityEvent) => stream.record(e);
        return [
          signals.on("item.created", async (p) => {
            // A link guest's drop is recorded by link.uploaded, with the link's words.
            if (currentActor()?.kind === "link") return;
            const where = await nameOf(p.parentId);
            const what = p.kind === "folder" ? "folder" : "file";
            record({
              kind: "added",
              ...by(),
              placeId: p.parentId,
              itemId: p.id,
              title: (n) => n === 1 ? `${p.name} added to ${where}` : `${plural(n, what)} added to ${where}`,
              at: at(),
            });
          }),
          signals.on("item.updated", (p) =>
            record({
              kind: "edited",
              ...by(),
              placeId: p.id,
              itemId: p.id,
              title: (n) => n === 1 ? `${p.name} edited` : `${p.name} edited ${plural(n, "time")}`,
              at: at(),
            })),
          signals.on("item.moved", async (p) => {
            const where = await nameOf(p.parentId);
            record({
              kind: "moved",
              ...by(),
              placeId: p.parentId,
              itemId: p.id,
              title: (n) =>
                n === 1
                  ? `${p.name} moved or renamed in ${where}`
                  : `${plural(n, "item")} moved into ${where}`,
              at: at(),
            });
          }),
          signals.on("item.deleted", (p) =>
            record({
              kind: "deleted",
              ...by(),
              placeId: "deleted",
              itemId: p.id,
              title: (n) => n === 1 ? `${p.name} deleted` : `${plural(n, "item")} deleted`,
              at: at(),
            })),
          ...(["created", "changed", "deleted"] as const).map((what) =>
            signals.on(`link.${what}`, (p) =>
              record({
                kind: "shared",
                ...owner,
                placeId: p.itemId,
                itemId: p.itemId,
                title: () => `Link “${p.label}” ${what}`,
                at: at(),
              }))
          ),
          signals.on("link.visited", (p) =>
            record({
              kind: "link.visit",
              actorKind: "link",
              actor: p.label,
              placeId: p.itemId,
              itemId: p.itemId,
              title: (n) => `Link “${p.label}” opened ${plural(n, "time")}`,
              at: at(),
            })),
          signals.on("link.downloaded", (p) =>
            record({
              kind: "link.download",
              actorKind: "link",
              actor: p.label,
              placeId: p.itemId,
              itemId: p.itemId,
              title: (n) =>
                n === 1
                  ? `${p.name} downloaded through link “${p.label}”`
                  : `${plural(n, "download")} through link “${p.label}”`,
              at: at(),
            })),
          signals.on("link.uploaded", async (p) => {
            const where = await nameOf(p.itemId);
            record({
              kind: "link.upload",
              actorKind: "link",
              actor: p.label,
              placeId: p.itemId,
              itemId: p.fileId,
              title: (n) =>
                n === 1
                  ? `${p.name} dropped into ${where} through link “${p.label}”`
                  : `${plural(n, "file")} dropped into ${where} through link “${p.label}”`,
              at: at(),
            });
          }),
          signals.on("comment.created", (p) =>
            record({
              kind: "comment",
              actorKind: p.linkId ? "link" : "owner",
              actor: p.author,
              placeId: p.itemId,
              itemId: p.itemId,
              title: (n) =>
                n === 1
                  ? `${p.author} commented: ${p.excerpt.slice(0, 80)}`
                  : `${p.author} left ${plural(n, "comment")}`,
              at: at(),
            })),
        ];
      },
    },
  };
}

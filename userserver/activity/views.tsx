/** The activity page and an item's activity list. */
import { Time } from "../web/time.tsx";
import { Assets, Places } from "../files/views.tsx";
import type { ActivityEntry } from "./stream.ts";

export const KINDS = [
  { id: "added", label: "Added" },
  { id: "edited", label: "Edited" },
  { id: "moved", label: "Moved" },
  { id: "deleted", label: "Deleted" },
  { id: "shared", label: "Shared" },
  { id: "link.visit", label: "Link visits" },
  { id: "link.download", label: "Link downloads" },
  { id: "link.upload", label: "Link uploads" },
  { id: "comment", label: "Comments" },
];

const WHO: Record<string, string> = { owner: "", device: "device", link: "link", friend: "friend" };

export function ActivityList({ entries }: { entries: ActivityEntry[]; compact?: boolean }) {
  if (entries.length === 0) return <p class="muted">Nothing yet.</p>;
  return (
    <ul class="act-list" aria-label="Activity">
      {entries.map((e) => (
        <li data-kind={e.kind} data-count={String(e.count)}>
          <span>{e.title}</span>{" "}
          <span class="muted small">
            {e.actorKind === "owner" ? "" : `${WHO[e.actorKind] ?? e.actorKind} “${e.actor}” · `}
            <Time ms={e.lastAt} />
          </span>
        </li>
      ))}
    </ul>
  );
}

export function ActivityPage(
  { entries, kind, itemId }: { entries: ActivityEntry[]; kind?: string; itemId?: string },
) {
  return (
    <>
      <Assets />
      <Places current="/activity" />
      <section class="card files">
        <h1>Activity</h1>
        <form method="get" action="/activity" class="fm-bar">
          {itemId ? <input type="hidden" name="item" value={itemId} /> : ""}
          <label for="act-kind">Show</label>
          <select id="act-kind" name="kind">
            <option value="">Everything</option>
            {KINDS.map((k) => <option key={k.id} value={k.id} selected={k.id === kind}>{k.label}</option>)}
          </select>
          <button type="submit" class="secondary small">Filter</button>
        </form>
        <ActivityList entries={entries} />
      </section>
    </>
  );
}

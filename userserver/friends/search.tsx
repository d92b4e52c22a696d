/**
 * Federated search: the same words go to each friend whose shares I may read, as a signed request;
 * each answers from its own index with what it shares with me (the one access check filters the
 * hits). My results page renders my own results at once and asks `/search/friends` afterwards
 * (htmx, on load): friends are asked in parallel, each within its own time box, so a slow or
 * offline friend never delays my results — theirs arrive after, merged by rank, each marked with
 * its owner.
 */
import { Hono } from "hono";
import { raw } from "hono/html";
import type { Core } from "../core/mod.ts";
import type { ShellContext, ShellEnv } from "../plugins/mod.ts";
import { formatBytes } from "../web/format.ts";
import { type PeerClient, PeerUnavailableError } from "./client.ts";
import { PEER_API } from "./door.ts";
import { mayReadTheirs, type Relations } from "./relations.ts";
import { friendAccess } from "./shared_items.ts";
import type { ShareTask } from "./share_task.ts";

/** How long one friend may take to answer a search (my own results never wait for it). */
export const FRIEND_SEARCH_MS = 1_500;
const PER_FRIEND = 20;

/** A hit as a friend's server describes it: no path (what lies above the share is not mine to see). */
export interface PeerHit {
  id: string;
  name: string;
  kind: "file" | "folder";
  type: string;
  size: number;
  mtime: number;
  /** Escaped text around the match, `<mark>` around the words. */
  snippet: string;
}

/** The friend's side: `/api/peer/v1/search?q=` answers from this server's index, only what they may read. */
export function peerSearchRoute(core: Core): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  app.get(`${PEER_API}/search`, async (c) => {
    const viewer = c.get("viewer");
    if (viewer.kind !== "friend") return c.json({ error: "Not found" }, 404);
    const q = (c.req.query("q") ?? "").slice(0, 200);
    if (!q.trim()) return c.json({ hits: [] });
    const result = await core.search.search({
      q,
      limit: PER_FRIEND,
      comments: false, // comments are the owner's: a friend's search never reads them
      visible: (ids) => Promise.resolve(new Set(ids.filter((id) => friendAccess(core, viewer.name, id)))),
    });
    const hits: PeerHit[] = result.hits.map((h) => ({
      id: h.itemId,
      name: h.name,
      kind: h.kind,
      type: h.type,
      size: h.size,
      mtime: h.mtime,
      snippet: h.snippet,
    }));
    return c.json({ hits });
  });
  return app;
}

interface FriendAnswer {
  friend: string;
  hits: PeerHit[];
  /** Why there are no hits from this friend (offline, too slow). */
  missing?: string;
}

/** My side: `/search/friends?q=` — every readable friend asked at once, each time-boxed. */
export function friendSearchRoute(
  d: { relations: Relations; client: PeerClient; task: ShareTask },
): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  app.get("/search/friends", async (c: ShellContext) => {
    const q = (c.req.query("q") ?? "").slice(0, 200);
    c.header("Cache-Control", "no-store");
    const friends = (await d.relations.list()).filter(mayReadTheirs).map((r) => r.name);
    if (!q.trim() || friends.length === 0) return c.html(<div id="search-friends"></div>);
    const answers = await Promise.all(friends.map((f) => ask(d, f, q)));
    return c.html(<FriendResults q={q} answers={answers} />);
  });
  return app;
}

async function ask(
  d: { client: PeerClient; task: ShareTask },
  friend: string,
  q: string,
): Promise<FriendAnswer> {
  // Known to be offline: not asked at all (the share task keeps trying).
  if (d.task.status(friend)?.online === false) return { friend, hits: [], missing: "offline" };
  try {
    const { status, body } = await d.client.json<{ hits?: PeerHit[] }>(
      friend,
      `${PEER_API}/search?${new URLSearchParams({ q })}`,
      { timeoutMs: FRIEND_SEARCH_MS },
    );
    if (status !== 200 || !Array.isArray(body.hits)) {
      return { friend, hits: [], missing: `answered HTTP ${status}` };
    }
    return { friend, hits: body.hits.filter(valid).slice(0, PER_FRIEND) };
  } catch (e) {
    if (e instanceof PeerUnavailableError) return { friend, hits: [], missing: "did not answer in time" };
    throw e;
  }
}

/** A friend's answer is input like any other. */
function valid(h: PeerHit): boolean {
  return typeof h?.id === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(h.id) && typeof h.name === "string" &&
    h.name.length <= 255 && (h.kind === "file" || h.kind === "folder") && typeof h.type === "string" &&
    Number.isFinite(h.size) && Number.isFinite(h.mtime) && typeof h.snippet === "string";
}

/** Each friend's ranking is its own: merged by rank position (first of each, then second of each, …). */
export function mergeByRank(answers: FriendAnswer[]): Array<PeerHit & { friend: string }> {
  const out: Array<PeerHit & { friend: string }> = [];
  const longest = Math.max(0, ...answers.map((a) => a.hits.length));
  for (let i = 0; i < longest; i++) {
    for (const a of answers) if (a.hits[i]) out.push({ ...a.hits[i]!, friend: a.friend });
  }
  return out;
}

/**
 * Only `<mark>` survives from a friend's snippet: the text between marks is decoded (its numeric
 * entities) and escaped again here, so whatever the friend's server sent is shown as text.
 */
export function safeSnippet(s: string): string {
  return s.slice(0, 2000).split(/(<\/?mark>)/).map((part) => {
    if (part === "<mark>" || part === "</mark>") return part;
    const text = part.replace(/&#(\d{1,7});/g, (_, n) => String.fromCodePoint(Math.min(Number(n), 0x10ffff)));
    return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  }).join("");
}

function FriendResults({ q, answers }: { q: string; answers: FriendAnswer[] }) {
  const hits = mergeByRank(answers);
  const missing = answers.filter((a) => a.missing);
  return (
    <section id="search-friends" aria-labelledby="search-friends-h" aria-live="polite">
      <h2 id="search-friends-h">From friends</h2>
      {hits.length === 0
        ? <p class="muted">Nothing your friends share with you matches “{q}”.</p>
        : (
          <ol class="search-hits">
            {hits.map((h) => (
              <li key={`${h.friend}/${h.id}`} data-friend={h.friend}>
                <a href={`/shared/${h.friend}/${h.id}`}>
                  <span class="hit-name">{h.name}</span>
                </a>
                <span class="hit-meta">
                  shared by <strong>{h.friend}</strong>
                  {h.kind === "file" ? ` · ${formatBytes(h.size)}` : ""}
                </span>
                {h.snippet ? <p class="hit-snippet">{raw(safeSnippet(h.snippet))}</p> : null}
              </li>
            ))}
          </ol>
        )}
      {missing.length
        ? <p class="muted">Not searched: {missing.map((m) => `${m.friend} (${m.missing})`).join(", ")}.</p>
        : ""}
    </section>
  );
}

/**
 * Albums shared with friends (Photos brings them; this module carries them between servers).
 * On the sharing server, the peer API lists the albums shared with the calling friend and serves
 * their pages and photos (what a visitor gets: positions out unless the owner opted in). On the
 * friend's server, "Shared with me" lists them and shows one in its skin with Photos' own viewer,
 * every byte through this server (the browser never talks to the friend's server).
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ShellEnv } from "../plugins/mod.ts";
import { type PeerClient, PeerUnavailableError } from "./client.ts";
import { PEER_API } from "./door.ts";
import { friendName } from "./peer_api.ts";
import { mayReadTheirs, type Relations } from "./relations.ts";
import { proxiedFromFriend } from "./proxied.ts";
import type { Tile } from "../photos/catalog.ts";

/** One photo of an album as its page lists it (Photos' tile: id, hash, time, size, colour). */
export type AlbumTile = Tile;

export interface FriendAlbumSummary {
  id: string;
  title: string;
  count: number;
}

export interface FriendAlbumPage {
  title: string;
  description: string;
  skin: "grid" | "story";
  tiles: AlbumTile[];
  total: number;
  offset: number;
}

/** What Photos gives friends: its albums shared with one, their pages and photos, and its skins. */
export interface AlbumsForFriends {
  list(friend: string): FriendAlbumSummary[];
  page(friend: string, albumId: string, offset: number): FriendAlbumPage | undefined;
  /** thumb | preview | info | original | download of a photo in the album; undefined: not theirs. */
  photo(
    c: Context,
    friend: string,
    albumId: string,
    photoId: string,
    what: string,
  ): Promise<Response | undefined>;
  /** The album in its skin with the viewer, its links under `base`, a link `back` to where it was listed. */
  render(page: FriendAlbumPage & { base: string; back: { href: string; label: string } }): Child;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const HASH = /^[0-9a-f]{1,64}$/;
const COLOUR = /^#[0-9a-fA-F]{3,8}$/;
const WHAT = new Set(["thumb", "preview", "info", "original", "download"]);
const PAGE_TIMEOUT_MS = 5_000;

/** The sharing server's side: signed requests from friends (the plugin's door admits no one else). */
export function albumPeerRoutes(albums: AlbumsForFriends): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  app.get(`${PEER_API}/albums`, (c) => c.json({ albums: albums.list(friendName(c)) }));
  app.get(`${PEER_API}/albums/:id`, (c) => {
    const offset = Math.max(0, Number(c.req.query("from") ?? 0) || 0);
    const page = albums.page(friendName(c), c.req.param("id"), offset);
    return page ? c.json(page) : c.json({ error: "Not found" }, 404);
  });
  app.get(`${PEER_API}/albums/:id/p/:photo/:what`, async (c) => {
    const res = WHAT.has(c.req.param("what"))
      ? await albums.photo(c, friendName(c), c.req.param("id"), c.req.param("photo"), c.req.param("what"))
      : undefined;
    return res ?? c.json({ error: "Not found" }, 404);
  });
  return app;
}

/**
 * A friend's answer, checked before it is shown: ids and hashes go into this server's own URLs,
 * so anything but the expected shapes is dropped (a hostile friend cannot point the page elsewhere).
 */
export function checkedPage(body: unknown, offset: number): FriendAlbumPage | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.title !== "string" || !Array.isArray(b.tiles)) return undefined;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const tiles: AlbumTile[] = [];
  for (const t of b.tiles.slice(0, 500)) {
    if (!t || typeof t !== "object") continue;
    const x = t as Record<string, unknown>;
    if (typeof x.i !== "string" || !ID.test(x.i) || typeof x.h !== "string" || !HASH.test(x.h)) continue;
    tiles.push({
      i: x.i,
      h: x.h,
      t: num(x.t),
      w: Math.max(0, Math.round(num(x.w))),
      ht: Math.max(0, Math.round(num(x.ht))),
      c: typeof x.c === "string" && COLOUR.test(x.c) ? x.c : "",
      ...(x.k === "v" ? { k: "v" as const } : {}),
    });
  }
  return {
    title: b.title.slice(0, 200),
    description: typeof b.description === "string" ? b.description.slice(0, 4000) : "",
    skin: b.skin === "story" ? "story" : "grid",
    tiles,
    total: Math.max(tiles.length, Math.min(10_000_000, Math.round(num(b.total)))),
    offset,
  };
}

/** The friend's server's side: the owner looking at albums their friends share with them. */
export function albumOwnerRoutes(
  d: { relations: Relations; client: PeerClient; render: AlbumsForFriends["render"] },
): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  const readable = async (friend: string) => mayReadTheirs(await d.relations.get(friend));

  // A fragment of "Shared with me": the friend's albums, asked of their server when the page asks.
  app.get("/shared/:friend/albums", async (c) => {
    const friend = c.req.param("friend");
    if (!(await readable(friend))) return c.notFound();
    try {
      const { status, body } = await d.client.json<{ albums?: unknown }>(friend, `${PEER_API}/albums`, {
        timeoutMs: PAGE_TIMEOUT_MS,
      });
      const albums = status === 200 && Array.isArray(body.albums) ? body.albums.filter(isSummary) : [];
      return c.html(<AlbumList friend={friend} albums={albums} />);
    } catch (e) {
      if (!(e instanceof PeerUnavailableError)) throw e;
      return c.html(<p class="muted small" data-fr-albums>Albums: {friend}'s server does not answer now.</p>);
    }
  });

  app.get("/shared/:friend/albums/:id", async (c) => {
    const friend = c.req.param("friend");
    const id = c.req.param("id");
    if (!ID.test(id) || !(await readable(friend))) return c.notFound();
    const offset = Math.max(0, Number(c.req.query("from") ?? 0) || 0);
    try {
      const { status, body } = await d.client.json<unknown>(
        friend,
        `${PEER_API}/albums/${id}${offset ? `?from=${offset}` : ""}`,
        { timeoutMs: PAGE_TIMEOUT_MS },
      );
      const page = status === 200 ? checkedPage(body, offset) : undefined;
      if (!page) return c.notFound();
      c.header("cache-control", "no-store");
      const back = { href: "/shared", label: `Shared with me · ${friend}` };
      return c.html(<>{d.render({ ...page, base: `/shared/${friend}/albums/${id}`, back })}</>);
    } catch (e) {
      if (e instanceof PeerUnavailableError) return c.text(`${friend}'s server does not answer now.`, 502);
      throw e;
    }
  });

  // A photo's bytes (or its details), streamed through this server; ranges pass for videos.
  app.get("/shared/:friend/albums/:id/p/:photo/:what", async (c) => {
    const friend = c.req.param("friend");
    const { id, photo, what } = c.req.param();
    if (!ID.test(id) || !ID.test(photo) || !WHAT.has(what) || !(await readable(friend))) return c.notFound();
    const res = await proxiedFromFriend(c, d.client, friend, `${PEER_API}/albums/${id}/p/${photo}/${what}`, {
      timeoutMs: what === "original" || what === "download" ? 30 * 60_000 : 15_000,
      disposition: what === "download" ? "attachment" : "inline",
    });
    if (res.ok) res.headers.set("cache-control", "private, max-age=300");
    return res;
  });
  return app;
}

function isSummary(a: unknown): a is FriendAlbumSummary {
  if (!a || typeof a !== "object") return false;
  const x = a as Record<string, unknown>;
  return typeof x.id === "string" && ID.test(x.id) && typeof x.title === "string" &&
    typeof x.count === "number";
}

function AlbumList({ friend, albums }: { friend: string; albums: FriendAlbumSummary[] }) {
  if (albums.length === 0) return <p class="muted small" data-fr-albums>Shares no album with you.</p>;
  return (
    <ul class="items" aria-label={`Albums ${friend} shares with you`} data-fr-albums>
      {albums.slice(0, 1000).map((a) => (
        <li key={a.id}>
          <a href={`/shared/${friend}/albums/${a.id}`} hx-boost="false">{a.title.slice(0, 200)}</a>{" "}
          <span class="muted small">
            album · {a.count === 1 ? "1 photo" : `${a.count.toLocaleString("en")} photos`}
          </span>
        </li>
      ))}
    </ul>
  );
}

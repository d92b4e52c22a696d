/**
 * The Photos pages: the timeline (laid out and scrolled by client/timeline.ts: the page holds only
 * the frame), albums, an album in its skin, and a shared album for a link's visitor. Every page
 * carries the same viewer (client/viewer.ts), filled in when a photo is opened.
 */
import type { Child } from "hono/jsx";
import { Head } from "../../shared/ui/head.tsx";
import { type Notice, Notices } from "../web/notices.tsx";
import { type Album, type AlbumSummary, SKINS } from "./albums.ts";
import type { Tile } from "./catalog.ts";
import { timeLabel } from "./labels.ts";

function Assets() {
  return (
    <>
      <link rel="stylesheet" href="/_static/photos.css" />
      <script src="/_static/photos.js" type="module"></script>
    </>
  );
}

function Tabs({ current }: { current: "timeline" | "albums" }) {
  return (
    <nav class="ph-tabs" aria-label="Photos">
      <a href="/photos" aria-current={current === "timeline" ? "page" : undefined}>Timeline</a>
      <a href="/photos/albums" aria-current={current === "albums" ? "page" : undefined}>Albums</a>
    </nav>
  );
}

export function TimelinePage(
  { total, albums, owner }: { total: number; albums: AlbumSummary[]; owner: boolean },
) {
  return (
    <>
      <Assets />
      <section class="ph" data-ph-timeline data-ph-mode="owner">
        <header class="ph-head">
          <Tabs current="timeline" />
          <div class="ph-tools" data-ph-tools>
            <button type="button" class="secondary small" data-ph-select aria-pressed="false">Select</button>
          </div>
        </header>
        <form class="ph-selbar" method="post" action="/photos/albums" data-ph-selbar hidden>
          <span role="status" aria-live="polite" data-ph-selcount>0 selected</span>
          <label>
            Add to{" "}
            <select name="album" data-ph-albums>
              <option value="">a new album called…</option>
              {albums.map((a) => <option key={a.id} value={a.id}>{a.title}</option>)}
            </select>
          </label>
          <input name="title" placeholder="Album title" aria-label="New album's title" data-ph-newtitle />
          <button type="submit" class="small">Add</button>
          <button type="button" class="secondary small" data-ph-clear>Clear</button>
        </form>
        {total === 0
          ? (
            <p class="ph-empty">
              No photos yet. Upload them in <a href="/browse">Browse</a> or send them from a phone with{" "}
              <a href="/camera">Camera</a>
              {owner
                ? (
                  <>
                    , or import a folder from <a href="/add">Add</a>
                  </>
                )
                : ""}.
            </p>
          )
          : ""}
        <div class="ph-body">
          <div
            class="ph-scroller"
            data-ph-scroller
            tabindex={0}
            role="region"
            aria-label="Timeline, newest first"
          >
            <div class="ph-spacer" data-ph-spacer></div>
          </div>
          <div
            class="ph-scrubber"
            data-ph-scrubber
            role="slider"
            tabindex={0}
            aria-label="Jump to a month"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={0}
            aria-valuetext=""
          >
            <span class="ph-scrub-label" data-ph-scrub-label aria-hidden="true"></span>
          </div>
        </div>
      </section>
      <Viewer owner />
    </>
  );
}

export function AlbumsPage({ albums, notices }: { albums: AlbumSummary[]; notices: Notice }) {
  const manual = albums.filter((a) => !a.folderId);
  const folders = albums.filter((a) => a.folderId);
  const card = (a: AlbumSummary) => (
    <li key={a.id}>
      <a href={`/photos/albums/${a.id}`} class="ph-album">
        {a.cover
          ? <img src={`/photos/p/${a.cover}/thumb?h=${a.coverHash ?? ""}`} alt="" loading="lazy" />
          : <span class="ph-album-empty" aria-hidden="true"></span>}
        <span class="ph-album-title">{a.title}</span>
        <span class="muted small">
          {a.count === 1 ? "1 photo" : `${a.count.toLocaleString("en")} photos`}
          {a.shared ? " · shared by link" : ""}
        </span>
      </a>
    </li>
  );
  return (
    <>
      <Assets />
      <section class="ph">
        <header class="ph-head">
          <Tabs current="albums" />
        </header>
        <Notices {...notices} />
        <h1 class="ph-h1">Albums</h1>
        {manual.length ? <ul class="ph-albums">{manual.map(card)}</ul> : (
          <p class="muted">
            Make an album: in the Timeline, choose Select, pick photos, and add them to a new album.
          </p>
        )}
        <h2 class="ph-h2">From your folders</h2>
        {folders.length
          ? <ul class="ph-albums">{folders.map(card)}</ul>
          : <p class="muted">Every folder with photos becomes an album here.</p>}
      </section>
    </>
  );
}

export function AlbumPage(
  { album, id, title, tiles, total, offset, manual, shareUrl, friends, notices }: {
    album?: Album;
    id: string;
    title: string;
    tiles: Tile[];
    total: number;
    offset: number;
    manual: boolean;
    shareUrl?: string;
    /** Who the album is shared with (`user:`/`group:` principals), and who it could be. */
    friends: { shared: string[]; choices: string[] };
    notices: Notice;
  },
) {
  const skin = album?.skin ?? "grid";
  const action = (what: string) => `/photos/albums/${id}/${what}`;
  return (
    <>
      <Assets />
      <section class="ph" data-ph-album data-ph-mode="owner" data-ph-album-id={manual ? id : ""}>
        <header class="ph-head">
          <Tabs current="albums" />
        </header>
        <Notices {...notices} />
        <h1 class="ph-h1">{title}</h1>
        {album?.description ? <p class="ph-desc">{album.description}</p> : ""}
        <p class="muted small">
          {total === 1 ? "1 photo" : `${total.toLocaleString("en")} photos`}
          {manual ? "" : " · this folder's photos"}
        </p>
        {shareUrl
          ? (
            <p class="ph-shared">
              Shared by link: <a href={shareUrl} data-ph-share-link>{shareUrl}</a>{" "}
              <span class="muted small">
                ({album?.shareGps ? "with" : "without"} where photos were taken)
              </span>
            </p>
          )
          : ""}
        <details class="ph-edit">
          <summary>Album settings and sharing</summary>
          <form method="post" action={action("edit")} class="ph-form">
            <label>
              Title <input name="title" value={title} maxlength={200} required />
            </label>
            <label>
              Description{" "}
              <textarea name="description" rows={3} maxlength={4000}>{album?.description ?? ""}</textarea>
            </label>
            <fieldset>
              <legend>Skin</legend>
              {SKINS.map((s) => (
                <label class="ph-radio" key={s.id}>
                  <input type="radio" name="skin" value={s.id} checked={s.id === skin} /> {s.label}
                </label>
              ))}
            </fieldset>
            <button type="submit" class="small">Save</button>
          </form>
          <form method="post" action={action("share")} class="ph-form">
            <label class="ph-radio">
              <input type="checkbox" name="share" checked={Boolean(shareUrl)} /> Share this album by link
            </label>
            <label class="ph-radio">
              <input type="checkbox" name="gps" checked={album?.shareGps ?? false} />{" "}
              Show visitors and friends where photos were taken (off: positions are taken out of every photo
              they get)
            </label>
            <button type="submit" class="small">Apply</button>
          </form>
          <FriendShares action={action} friends={friends} />
          {manual
            ? (
              <form method="post" action={action("delete")}>
                <button type="submit" class="danger small">Delete this album (its photos stay)</button>
              </form>
            )
            : ""}
        </details>
        <Photos tiles={tiles} skin={skin} base="/photos" owner manual={manual} action={action} />
        <Pager total={total} offset={offset} href={(from) => `/photos/albums/${id}?from=${from}`} />
      </section>
      <Viewer owner />
    </>
  );
}

/** The album's friends and groups: who sees it from their own server, and a choice to add one. */
function FriendShares(
  { action, friends }: { action: (what: string) => string; friends: { shared: string[]; choices: string[] } },
) {
  const label = (p: string) => p.startsWith("group:") ? `group ${p.slice(6)}` : p.slice(5);
  const left = friends.choices.filter((p) => !friends.shared.includes(p));
  return (
    <div class="ph-form" data-ph-friends>
      <p>
        <strong>Friends</strong>{" "}
        <span class="muted small">see the album from their own server, in its skin</span>
      </p>
      {friends.shared.length
        ? (
          <ul class="ph-friends">
            {friends.shared.map((p) => (
              <li key={p}>
                {label(p)}{" "}
                <form method="post" action={action("unshare")} class="inline">
                  <input type="hidden" name="principal" value={p} />
                  <button type="submit" class="secondary small">Stop sharing with {label(p)}</button>
                </form>
              </li>
            ))}
          </ul>
        )
        : <p class="muted small">Shared with no friend.</p>}
      {left.length
        ? (
          <form method="post" action={action("share-friend")} class="ph-inline">
            <label>
              Share with{" "}
              <select name="principal">
                {left.map((p) => <option key={p} value={p}>{label(p)}</option>)}
              </select>
            </label>{" "}
            <button type="submit" class="small">Share</button>
          </form>
        )
        : friends.choices.length
        ? ""
        : <p class="muted small">No friends yet: add them in Friends.</p>}
    </div>
  );
}

export function SharedAlbumPage(
  { album, base, tiles, total, offset, back }: {
    album: Pick<Album, "title" | "description" | "skin">;
    base: string;
    /** A friend's album shown on my server: the way back to where it was listed. */
    back?: { href: string; label: string };
    tiles: Tile[];
    total: number;
    offset: number;
  },
) {
  return (
    <html lang="en">
      <Head title={`${album.title} · Hearth`}>
        <link rel="stylesheet" href="/_static/photos.css" />
        <script src="/_static/photos.js" type="module"></script>
      </Head>
      <body class="ph-public">
        <main class="ph" data-ph-album data-ph-mode="shared" data-ph-base={base}>
          {back
            ? (
              <p class="small">
                <a href={back.href}>← {back.label}</a>
              </p>
            )
            : ""}
          <h1 class="ph-h1">{album.title}</h1>
          {album.description ? <p class="ph-desc">{album.description}</p> : ""}
          <p class="muted small">{total === 1 ? "1 photo" : `${total.toLocaleString("en")} photos`}</p>
          <Photos tiles={tiles} skin={album.skin} base={base} owner={false} manual={false} />
          <Pager total={total} offset={offset} href={(from) => `${base}?from=${from}`} />
        </main>
        <footer class="site">Shared with Hearth — served by its owner's own machine</footer>
        <Viewer owner={false} />
      </body>
    </html>
  );
}

/** An album's photos in its skin: a justified grid, or a story of large pictures. */
function Photos(
  { tiles, skin, base, owner, manual, action }: {
    tiles: Tile[];
    skin: Album["skin"];
    base: string;
    owner: boolean;
    manual: boolean;
    action?: (what: string) => string;
  },
) {
  const src = (t: Tile, what: string) => `${base}/p/${t.i}/${what}?h=${t.h}`;
  const label = (t: Tile) => `${t.k ? "Video" : "Photo"}, ${timeLabel(t.t)}`;
  if (skin === "story") {
    return (
      <ol class="ph-story" data-ph-list>
        {tiles.map((t) => (
          <li key={t.i} id={`t-${t.i}`}>
            <a href={src(t, "preview")} class="ph-open" data-ph-id={t.i} aria-label={label(t)}>
              <img
                src={src(t, "preview")}
                alt=""
                loading="lazy"
                width={t.w || undefined}
                height={t.ht || undefined}
                style={`background:${t.c || "#8884"}`}
              />
            </a>
            <p class="muted small">{timeLabel(t.t)}</p>
            {owner ? <Controls t={t} manual={manual} action={action!} /> : ""}
          </li>
        ))}
      </ol>
    );
  }
  return (
    <ul class="ph-grid" data-ph-list>
      {tiles.map((t) => {
        const ratio = t.w && t.ht ? Math.min(3, Math.max(0.4, t.w / t.ht)) : 1;
        return (
          <li key={t.i} id={`t-${t.i}`} style={`--r:${ratio.toFixed(3)}`}>
            <a href={src(t, "preview")} class="ph-open" data-ph-id={t.i} aria-label={label(t)}>
              <img src={src(t, "thumb")} alt="" loading="lazy" style={`background:${t.c || "#8884"}`} />
              {t.k ? <span class="ph-badge" aria-hidden="true">▶</span> : ""}
            </a>
            {owner ? <Controls t={t} manual={manual} action={action!} /> : ""}
          </li>
        );
      })}
    </ul>
  );
}

function Controls({ t, manual, action }: { t: Tile; manual: boolean; action: (what: string) => string }) {
  const button = (what: string, text: string, hint: string) => (
    <form method="post" action={action(what)}>
      <input type="hidden" name="photo" value={t.i} />
      <button type="submit" class="icon-button" title={hint} aria-label={`${hint}: ${timeLabel(t.t)}`}>
        {text}
      </button>
    </form>
  );
  return (
    <div class="ph-controls">
      {button("cover", "★", "Make this the cover")}
      {manual ? button("earlier", "↑", "Move earlier") : ""}
      {manual ? button("later", "↓", "Move later") : ""}
      {manual ? button("remove", "✕", "Remove from the album") : ""}
    </div>
  );
}

function Pager({ total, offset, href }: { total: number; offset: number; href: (from: number) => string }) {
  if (total <= 500) return "";
  return (
    <nav class="ph-pager" aria-label="Pages">
      {offset > 0 ? <a href={href(Math.max(0, offset - 500))}>Newer</a> : <span></span>}
      <span class="muted small">
        {offset + 1}–{Math.min(total, offset + 500)} of {total.toLocaleString("en")}
      </span>
      {offset + 500 < total ? <a href={href(offset + 500)}>Older</a> : <span></span>}
    </nav>
  );
}

/** The lightbox every Photos page shares (client/viewer.ts fills it). */
function Viewer({ owner }: { owner: boolean }): Child {
  return (
    <div class="ph-viewer" data-ph-viewer role="dialog" aria-modal="true" aria-label="Photo" hidden>
      <div class="ph-stage" data-ph-stage>
        <img data-ph-img alt="" />
        <video data-ph-video controls preload="metadata" playsinline hidden></video>
      </div>
      <div class="ph-bar">
        <button type="button" class="icon-button" data-ph-close aria-label="Close (Escape)">✕</button>
        <span class="ph-title" data-ph-title></span>
        <button type="button" class="icon-button" data-ph-play aria-label="Slideshow" aria-pressed="false">
          ▶
        </button>
        <button type="button" class="icon-button" data-ph-zoom aria-label="Zoom">＋</button>
        <button type="button" class="icon-button" data-ph-info aria-label="Details" aria-expanded="false">
          ⓘ
        </button>
        <a class="icon-button" data-ph-download aria-label="Download" download>⤓</a>
      </div>
      <button type="button" class="ph-nav ph-prev" data-ph-prev aria-label="Newer photo (Left arrow)">
        ‹
      </button>
      <button type="button" class="ph-nav ph-next" data-ph-next aria-label="Older photo (Right arrow)">
        ›
      </button>
      <aside class="ph-panel" data-ph-panel hidden aria-label="Details">
        <dl data-ph-facts></dl>
        {owner
          ? (
            <form class="ph-form" data-ph-taken>
              <label>
                Taken <input type="datetime-local" name="taken" data-ph-taken-input />
              </label>
              <button type="submit" class="small secondary">Correct the date</button>
            </form>
          )
          : ""}
      </aside>
    </div>
  );
}

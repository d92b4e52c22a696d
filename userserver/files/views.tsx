/**
 * The file manager's pages and fragments: the folder (list and icon views, sort, filter,
 * breadcrumbs, pages with the count), file previews, the text editor, trash, recent and
 * favorites. Every page works without JavaScript (forms post and redirect); htmx attributes filter,
 * sort and load the Move/Copy picker in place, and `client/` (bundled to `/_static/files.js`) adds
 * drag-and-drop resumable uploads, selection and keyboard shortcuts.
 */
import { type Child, useContext } from "hono/jsx";
import type { ItemType } from "../plugins/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { formatBytes } from "../web/format.ts";
import { Time } from "../web/time.tsx";
import { Icon, svgIcon } from "../web/icons.tsx";
import { PlacesContext } from "../web/places.ts";
import {
  cursorOf,
  DEFAULT_PER,
  type ListPage,
  type ListQuery,
  listQueryString,
  PAGE_SIZES,
} from "./listing.ts";
import type { TrashEntry } from "./ops.ts";

const FM_ICONS: Record<string, string> = {
  more: "M5 12h.01M12 12h.01M19 12h.01",
  star: "M12 2l3.09 6.26L22 9.27l-5 4.87 1.18 6.88L12 17.77l-6.18 3.25L7 14.14 2 9.27l6.91-1.01L12 2z",
  trash: "M3 6h18M8 6V4h8v2M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6M10 11v6M14 11v6",
  download: "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3",
  upload: "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12",
  grid: "M3 3h7v7H3zM14 3h7v7h-7zM14 14h7v7h-7zM3 14h7v7H3z",
  list: "M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01",
  plus: "M12 5v14M5 12h14",
  clock: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 6v6l4 2",
  home: "M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z",
  edit: "M12 20h9M16.5 3.5a2.12 2.12 0 0 1 3 3L7 19l-4 1 1-4z",
  move: "M5 9l-3 3 3 3M9 5l3-3 3 3M15 19l-3 3-3-3M19 9l3 3-3 3M2 12h20M12 2v20",
  copy:
    "M20 9h-9a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2zM5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1",
  restore: "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5",
  keyboard: "M2 6h20v12H2zM6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10",
  video: "M23 7l-7 5 7 5V7zM1 5h15v14H1z",
  audio: "M9 18V5l12-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0zM21 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0z",
  text: "M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7ZM14 2v5h6M8 13h8M8 17h8M8 9h2",
  pdf: "M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7ZM14 2v5h6M9 15h6",
};

export function FmIcon({ name, size = "1.15em" }: { name: string; size?: string }) {
  const d = FM_ICONS[name];
  return d ? svgIcon(d, size) : <Icon name={name} size={size} />;
}

export const folderHref = (id: string) => id === ROOT_ID ? "/browse" : `/browse/${id}`;
const fmt = (n: number) => n.toLocaleString("en-US");

/** The side list: the places the plugins contribute that this page's viewer may open (web/places.ts). */
export function Places(
  { current, usage }: { current: string; usage?: { bytes: number } },
) {
  const places = useContext(PlacesContext);
  return (
    <nav class="fm-places" aria-label="Places">
      {places.map((p) => (
        <a key={p.path} href={p.path} aria-current={current === p.path ? "page" : undefined}>
          <FmIcon name={p.icon} /> {p.label}
        </a>
      ))}
      {usage
        ? (
          // Fetched again whenever the listing is (after uploads too: files/client/dom.ts refreshListing).
          <span
            id="fm-usage"
            class="fm-usage"
            title="Stored on this machine (each distinct content counted once)"
            hx-get="/files-ui/usage"
            hx-trigger="fm-refresh"
            hx-swap="innerHTML"
          >
            {formatBytes(usage.bytes)} stored
          </span>
        )
        : ""}
      <button type="button" class="link fm-help-open" data-fm-help aria-keyshortcuts="?">
        <FmIcon name="keyboard" /> Shortcuts
      </button>
    </nav>
  );
}

export function Crumbs({ chain, last = true }: { chain: Item[]; last?: boolean }) {
  return (
    <nav class="crumbs" aria-label="Folder path">
      {chain.map((f, i) => (
        <>
          {i > 0 ? <span aria-hidden="true">›</span> : ""}
          {i === chain.length - 1 && last
            ? <strong aria-current="page">{f.id === ROOT_ID ? "Home" : f.name}</strong>
            : <a href={folderHref(f.id)}>{f.id === ROOT_ID ? "Home" : f.name}</a>}
        </>
      ))}
    </nav>
  );
}

export interface FolderViewProps {
  chain: Item[];
  listing: ListPage;
  typeOf(item: Item): ItemType;
  sizes: Map<string, { bytes: number; count: number }>;
  favorites: Set<string>;
  canThumb(item: Item): boolean;
  error?: string;
  ok?: string;
  usage: { bytes: number };
}

/**
 * For the (boosted) sort, page and view links: htmx swaps just the listing, the filter form and the
 * selection bar (so the selects, the view and the return address follow) and pushes the address.
 */
const IN_PLACE = {
  "hx-target:inherited": "#listing",
  "hx-select:inherited": "#listing",
  "hx-swap:inherited": "outerHTML",
  "hx-select-oob:inherited": "#fm-filter,#fm-sel",
};

export function FolderPage(p: FolderViewProps) {
  const here = p.chain.at(-1)!;
  const q = p.listing.query;
  const base = folderHref(here.id);
  return (
    <>
      <Places current={here.id === ROOT_ID ? "/browse" : ""} usage={p.usage} />
      <section class="card files" data-folder={here.id} data-fm-drop>
        <Crumbs chain={p.chain} />
        <div class="fm-head">
          <h1>{here.id === ROOT_ID ? "Your files" : here.name}</h1>
          <div class="fm-tools">
            <form method="post" action={`/browse/${here.id}/mkdir`} class="fm-mkdir" data-fm-mkdir>
              <label class="sr-only" for="fm-new-name">New folder name</label>
              <input
                id="fm-new-name"
                type="text"
                name="name"
                placeholder="New folder"
                required
                maxlength={255}
              />
              <button type="submit" class="secondary small" aria-keyshortcuts="n">
                <FmIcon name="plus" /> Folder
              </button>
            </form>
            <form
              method="post"
              action={`/browse/${here.id}/upload`}
              enctype="multipart/form-data"
              class="fm-upload-form"
            >
              <label class="button small" for="fm-files" aria-keyshortcuts="u">
                <FmIcon name="upload" /> Upload
              </label>
              <input id="fm-files" class="sr-only" type="file" name="files" multiple data-fm-input />
              <label class="button secondary small fm-folder-upload" for="fm-folder-files">
                <FmIcon name="upload" /> Upload folder
              </label>
              {/* A whole folder, its tree kept (files/client/folder_entries.ts); needs the script. */}
              <input
                id="fm-folder-files"
                class="sr-only"
                type="file"
                aria-label="Upload a folder"
                multiple
                data-fm-input
                {...{ webkitdirectory: "" }}
              />
              <noscript>
                <button type="submit" class="small">Send</button>
              </noscript>
            </form>
            <a class="button secondary small" href={`/browse/${here.id}/zip`} hx-boost="false" download>
              <FmIcon name="download" /> Zip
            </a>
            {here.id === ROOT_ID ? "" : (
              <a class="button secondary small" href={`/browse/${here.id}/share`}>
                <FmIcon name="share" /> Share
              </a>
            )}
            <PhoneMenu here={here} q={q} base={base} />
          </div>
        </div>
        {p.error ? <p class="notice error" role="alert">{p.error}</p> : ""}
        {p.ok ? <p class="notice ok" role="status">{p.ok}</p> : ""}
        <form
          id="fm-filter"
          class="fm-bar"
          method="get"
          action={base}
          role="search"
          data-fm-filter
          hx-get={`/browse/${here.id}/listing`}
          hx-trigger="input delay:180ms, submit, fm-refresh"
          hx-target="#listing"
          hx-swap="outerHTML"
          hx-sync="this:replace"
        >
          <label class="sr-only" for="fm-q">Filter by name</label>
          <input
            id="fm-q"
            type="text"
            name="q"
            value={q.q}
            placeholder="Filter this folder  ( / )"
            autocomplete="off"
          />
          <label class="sr-only" for="fm-sort">Sort by</label>
          <select id="fm-sort" name="sort">
            {(["name", "size", "mtime", "type"] as const).map((s) => (
              <option value={s} selected={q.sort === s}>
                {{ name: "Name", size: "Size", mtime: "Modified", type: "Type" }[s]}
              </option>
            ))}
          </select>
          <label class="sr-only" for="fm-dir">Order</label>
          <select id="fm-dir" name="dir">
            <option value="asc" selected={q.dir === "asc"}>Ascending</option>
            <option value="desc" selected={q.dir === "desc"}>Descending</option>
          </select>
          {q.view === "icons" ? <input type="hidden" name="view" value="icons" /> : ""}
          {q.per !== DEFAULT_PER ? <input type="hidden" name="per" value={String(q.per)} /> : ""}
          <noscript>
            <button type="submit" class="secondary small">Apply</button>
          </noscript>
          <span class="fm-views" role="group" aria-label="View" {...IN_PLACE}>
            <a
              href={base + listQueryString(q, { view: "list", page: 1 })}
              aria-current={q.view === "list" ? "true" : undefined}
              title="List view"
            >
              <FmIcon name="list" />
              <span class="sr-only">List view</span>
            </a>
            <a
              href={base + listQueryString(q, { view: "icons", page: 1 })}
              aria-current={q.view === "icons" ? "true" : undefined}
              title="Icon view"
            >
              <FmIcon name="grid" />
              <span class="sr-only">Icon view</span>
            </a>
          </span>
        </form>
        <SelectionBar folderId={here.id} back={base + listQueryString(q)} filter={q.q} />
        <Listing {...p} />
        <div class="fm-uploads" data-fm-uploads aria-live="polite" hidden></div>
        <div class="fm-dropmark" aria-hidden="true">
          Drop files to upload to {here.id === ROOT_ID ? "Home" : here.name}
        </div>
      </section>
      <ShortcutHelp />
    </>
  );
}

/** The order a sort link asks for: the current sort flips; another starts ascending by name, else descending. */
function nextSortDir(q: ListQuery, key: ListQuery["sort"]): "asc" | "desc" {
  if (q.sort === key) return q.dir === "asc" ? "desc" : "asc";
  return key === "name" ? "asc" : "desc";
}

/**
 * On a phone the toolbar keeps Upload and the filter; everything else — a new folder, a folder
 * upload, the zip, sharing, sort and view — is one "More" menu, so the first files show in the top
 * third of the screen. On a wider screen this menu is hidden and the controls stand in the toolbar.
 */
function PhoneMenu({ here, q, base }: { here: Item; q: ListQuery; base: string }) {
  const sorts = [["name", "Name"], ["mtime", "Modified"], ["size", "Size"], ["type", "Type"]] as const;
  return (
    <details class="fm-more">
      <summary class="button secondary small">
        <FmIcon name="more" /> More
      </summary>
      <div class="fm-more-panel">
        <button type="button" class="secondary small" data-fm-ask-mkdir={`/browse/${here.id}/mkdir`}>
          <FmIcon name="plus" /> New folder
        </button>
        <label class="button secondary small" for="fm-folder-files">
          <FmIcon name="upload" /> Upload folder
        </label>
        <a class="button secondary small" href={`/browse/${here.id}/zip`} hx-boost="false" download>
          <FmIcon name="download" /> Download as zip
        </a>
        {here.id === ROOT_ID ? "" : (
          <a class="button secondary small" href={`/browse/${here.id}/share`}>
            <FmIcon name="share" /> Share
          </a>
        )}
        <p class="fm-more-label">Sort by</p>
        {sorts.map(([key, label]) => {
          const active = q.sort === key;
          const dir = nextSortDir(q, key);
          return (
            <a
              class="button secondary small"
              href={base + listQueryString(q, { sort: key, dir, page: 1 })}
              aria-current={active ? "true" : undefined}
            >
              {label}
              {active ? (q.dir === "asc" ? " ↑" : " ↓") : ""}
            </a>
          );
        })}
        <p class="fm-more-label">View</p>
        <a
          class="button secondary small"
          href={base + listQueryString(q, { view: "list", page: 1 })}
          aria-current={q.view === "list" ? "true" : undefined}
        >
          <FmIcon name="list" /> List
        </a>
        <a
          class="button secondary small"
          href={base + listQueryString(q, { view: "icons", page: 1 })}
          aria-current={q.view === "icons" ? "true" : undefined}
        >
          <FmIcon name="grid" /> Icons
        </a>
      </div>
    </details>
  );
}

function SelectionBar({ folderId, back, filter = "" }: { folderId: string; back: string; filter?: string }) {
  return (
    // Not boosted: Download answers a zip to save, not a page to swap in.
    <form id="fm-sel" class="fm-selbar" method="post" action="/files/trash" data-fm-selbar hx-boost="false">
      <input type="hidden" name="back" value={back} />
      <input type="hidden" name="from" value={folderId} />
      {/* Set by "Select all N items" (files/client/selection.ts): every page of this folder at once. */}
      <input type="hidden" name="all" value={folderId} disabled data-fm-all />
      <input type="hidden" name="allq" value={filter} disabled data-fm-all />
      <span class="fm-selcount" data-fm-selcount>Select items to act on them</span>
      <button type="button" class="secondary small" data-fm-select-all hidden></button>
      <button type="submit" class="secondary small" formaction="/files/zip">
        <FmIcon name="download" /> Download
      </button>
      <button type="submit" class="secondary small" formaction="/files/favorite" name="on" value="1">
        <FmIcon name="star" /> Star
      </button>
      <button type="submit" class="secondary small" formaction="/files/favorite" name="on" value="0">
        Unstar
      </button>
      <PickerButton action="move" label="Move" />
      <PickerButton action="copy" label="Copy" />
      <button type="submit" class="danger small" formaction="/files/trash" aria-keyshortcuts="Delete">
        <FmIcon name="trash" /> Delete
      </button>
    </form>
  );
}

/** Move or Copy: htmx loads the folder picker for the checked rows into the dialog (files.js shows it). */
function PickerButton({ action, label }: { action: "move" | "copy"; label: string }) {
  return (
    <button
      type="button"
      class="secondary small"
      {...{ [`data-fm-${action}`]: true }}
      hx-get={`/files-ui/picker?action=${action}`}
      hx-include="#listing .fm-check:checked, #fm-sel [name=back], #fm-sel [data-fm-all]:not([disabled])"
      hx-target="#fm-dialog"
      hx-swap="innerHTML"
    >
      <FmIcon name={action} /> {label}
    </button>
  );
}

export function Listing(p: FolderViewProps) {
  const { listing } = p;
  const q = listing.query;
  const here = p.chain.at(-1)!;
  const base = folderHref(here.id);
  const first = listing.total === 0 ? 0 : (listing.page - 1) * q.per + 1;
  const last = Math.min(listing.total, listing.page * q.per);
  const sortLink = (key: ListQuery["sort"], label: string) => {
    const active = q.sort === key;
    const dir = nextSortDir(q, key);
    return (
      <a
        href={base + listQueryString(q, { sort: key, dir, page: 1 })}
        aria-sort={active ? (q.dir === "asc" ? "ascending" : "descending") : undefined}
        // A mouse shortcut: the row of headings is hidden from assistive technology, so it is out of
        // the tab order too; keyboards and screen readers sort with the Sort control.
        tabindex={-1}
      >
        {label}
        {active ? (q.dir === "asc" ? " ↑" : " ↓") : ""}
      </a>
    );
  };
  return (
    <div
      id="listing"
      class={`fm-listing fm-${q.view}`}
      data-total={String(listing.total)}
      data-page={String(listing.page)}
    >
      <p class="fm-count" data-fm-count>
        {listing.total === 0 && q.q
          ? `Nothing named like “${q.q}”`
          : listing.total === 0
          ? "No items"
          : listing.total <= last - first + 1
          ? `${fmt(listing.total)} ${listing.total === 1 ? "item" : "items"}`
          : `${fmt(first)}–${fmt(last)} of ${fmt(listing.total)} items`}
        {listing.folders > 0 && listing.files > 0
          ? (
            <span class="muted">
              {` · ${plural(listing.folders, "folder")}, ${plural(listing.files, "file")}`}
            </span>
          )
          : ""}
      </p>
      {listing.total === 0 && !q.q
        ? (
          <p class="empty">
            <span class="big">
              <Icon name="empty" size="2.5rem" />
            </span>
            Nothing here yet. Drop files here, use Upload, or <a href="/add">add a folder</a>{" "}
            from this computer.
          </p>
        )
        : (
          <>
            {q.view === "list"
              ? (
                <div class="fm-colheads" aria-hidden="true" {...IN_PLACE}>
                  <span></span>
                  <span></span>
                  {sortLink("name", "Name")}
                  {sortLink("size", "Size")}
                  {sortLink("mtime", "Modified")}
                  <span></span>
                </div>
              )
              : ""}
            <ul class="items" aria-label="Items">
              {listing.items.map((item) => (
                <Row
                  key={item.id}
                  item={item}
                  typeOf={p.typeOf}
                  sizes={p.sizes}
                  favorites={p.favorites}
                  canThumb={p.canThumb}
                  view={q.view}
                />
              ))}
            </ul>
          </>
        )}
      {listing.pages > 1
        ? (
          <nav class="fm-pager" aria-label="Pages" {...IN_PLACE}>
            {listing.page > 1
              ? (
                <span class="fm-pager-ends">
                  <a
                    class="button secondary small"
                    href={base + listQueryString(q, { page: 1 })}
                    title="First page"
                  >
                    « <span class="sr-only">First page</span>
                  </a>
                  <a
                    class="button secondary small"
                    rel="prev"
                    href={base + listQueryString(q, {
                      page: listing.page - 1,
                      before: listing.items[0] && cursorOf(listing.items[0], q.sort),
                    })}
                  >
                    ← Previous
                  </a>
                </span>
              )
              : <span></span>}
            <span class="muted">
              Page {fmt(listing.page)} of {fmt(listing.pages)}
              {" · "}
              {PAGE_SIZES.map((n) => (
                n === q.per
                  ? <strong>{n}</strong>
                  : <a href={base + listQueryString(q, { per: n, page: 1 })}>{n}</a>
              ))} per page
            </span>
            {listing.page < listing.pages
              ? (
                <span class="fm-pager-ends">
                  <a
                    class="button secondary small"
                    rel="next"
                    href={base + listQueryString(q, {
                      page: listing.page + 1,
                      after: listing.items.at(-1) && cursorOf(listing.items.at(-1)!, q.sort),
                    })}
                  >
                    Next →
                  </a>
                  <a
                    class="button secondary small"
                    href={base + listQueryString(q, { page: listing.pages })}
                    title="Last page"
                  >
                    <span class="sr-only">Last page</span> »
                  </a>
                </span>
              )
              : <span></span>}
          </nav>
        )
        : ""}
    </div>
  );
}

/** What one row of a listing needs (a folder's page, Recent and Favorites all use it). */
export interface RowProps {
  item: Item;
  typeOf(item: Item): ItemType;
  sizes: Map<string, { bytes: number; count: number }>;
  favorites: Set<string>;
  canThumb(item: Item): boolean;
  view: "list" | "icons";
  /** The time shown (Recent: when it was last used); the item's mtime otherwise. */
  when?: number;
}

function Row(p: RowProps) {
  const { item } = p;
  const t = p.typeOf(item);
  const size = item.kind === "folder" ? p.sizes.get(item.id) : undefined;
  const fav = p.favorites.has(item.id);
  const thumb = item.kind === "file" && p.canThumb(item);
  return (
    <li>
      <input
        type="checkbox"
        name="ids"
        value={item.id}
        form="fm-sel"
        class="fm-check"
        aria-label={`Select ${item.name}`}
        data-name={item.name}
        data-kind={item.kind}
      />
      <span class={`icon${item.kind === "folder" ? " folder" : ""}`} title={t.label}>
        {thumb
          ? (
            <img
              class="fm-thumb"
              src={`/files/${item.id}/thumb?h=${item.blobHash!.slice(0, 12)}`}
              alt=""
              loading="lazy"
              decoding="async"
              width="256"
              height="256"
            />
          )
          : ""}
        <span class="fm-glyph">
          <FmIcon name={iconOf(item, t)} size={p.view === "icons" ? "2.6rem" : "1.25em"} />
        </span>
      </span>
      <span class="name">
        {/* A subfolder opens in the view this folder is in (icons stay icons). */}
        <a
          class="fm-open"
          href={`/browse/${item.id}${item.kind === "folder" && p.view === "icons" ? "?view=icons" : ""}`}
        >
          {item.name}
        </a>
        {fav ? <span class="fm-star" title="Favorite" aria-label="Favorite">★</span> : ""}
      </span>
      <span class="meta size">
        {item.kind === "folder"
          ? (size ? `${formatBytes(size.bytes)} · ${fmt(size.count)}` : "Folder")
          : formatBytes(item.size)}
      </span>
      <span class="meta when">
        <Time ms={p.when ?? item.mtime} />
      </span>
      <span class="fm-rowacts">
        {item.kind === "file"
          ? (
            <a
              href={`/files/${item.id}?download=1`}
              hx-boost="false"
              title={`Download ${item.name}`}
              aria-label={`Download ${item.name}`}
            >
              <FmIcon name="download" />
            </a>
          )
          : (
            <a
              href={`/browse/${item.id}/zip`}
              hx-boost="false"
              title={`Download ${item.name} as zip`}
              aria-label={`Download ${item.name} as zip`}
            >
              <FmIcon name="download" />
            </a>
          )}
      </span>
    </li>
  );
}

export function iconOf(item: Item, t: ItemType): string {
  if (item.kind === "folder") return "folder";
  if (item.type.startsWith("image/")) return "image";
  if (item.type.startsWith("video/")) return "video";
  if (item.type.startsWith("audio/")) return "audio";
  if (item.type === "application/pdf") return "pdf";
  if (item.type.startsWith("text/")) return "text";
  return t.icon;
}

export type PreviewKind = "image" | "text" | "pdf" | "video" | "audio" | "none";

export function PreviewPage(
  { chain, item, kind, text, truncated, favorite, error, ok, extra }: {
    chain: Item[];
    item: Item;
    kind: PreviewKind;
    text?: string;
    truncated?: boolean;
    favorite: boolean;
    error?: string;
    ok?: string;
    /** Sections other plugins add after the preview (comments). */
    extra?: Child;
  },
) {
  const src = `/files/${item.id}`;
  return (
    <>
      <Places current="" />
      <section class="card files fm-preview" data-item={item.id}>
        <Crumbs chain={chain} last={false} />
        <div class="fm-head">
          <h1>{item.name}</h1>
          <div class="fm-tools">
            <a class="button small" href={`${src}?download=1`} hx-boost="false" download>
              <FmIcon name="download" /> Download
            </a>
            <a class="button secondary small" href={`/browse/${item.id}/share`}>
              <FmIcon name="share" /> Share
            </a>
            {kind === "text" && !truncated
              ? (
                <a class="button secondary small" href={`/browse/${item.id}/edit`} aria-keyshortcuts="e">
                  <FmIcon name="edit" /> Edit
                </a>
              )
              : ""}
            <form method="post" action="/files/favorite">
              <input type="hidden" name="ids" value={item.id} />
              <input type="hidden" name="on" value={favorite ? "0" : "1"} />
              <input type="hidden" name="back" value={`/browse/${item.id}`} />
              <button type="submit" class="secondary small" aria-pressed={favorite ? "true" : "false"}>
                <FmIcon name="star" /> {favorite ? "Starred" : "Star"}
              </button>
            </form>
            <form method="post" action="/files/trash">
              <input type="hidden" name="ids" value={item.id} />
              <input type="hidden" name="back" value={folderHref(item.parentId ?? ROOT_ID)} />
              <button type="submit" class="danger small">
                <FmIcon name="trash" /> Delete
              </button>
            </form>
          </div>
        </div>
        <p class="muted small">
          {formatBytes(item.size)} · {item.type} · modified <Time ms={item.mtime} />
        </p>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {ok ? <p class="notice ok" role="status">{ok}</p> : ""}
        <form method="post" action={`/browse/${item.id}/rename`} class="fm-rename">
          <label for="fm-rename">Name</label>
          <div class="row">
            <input id="fm-rename" type="text" name="name" value={item.name} required maxlength={255} />
            <button type="submit" class="secondary small">Rename</button>
          </div>
        </form>
        <div class="fm-viewer" data-kind={kind}>
          {kind === "image" ? <img src={src} alt={item.name} /> : ""}
          {kind === "video" ? <video src={src} controls preload="metadata"></video> : ""}
          {kind === "audio" ? <audio src={src} controls preload="metadata"></audio> : ""}
          {kind === "pdf" ? <iframe src={src} title={item.name}></iframe> : ""}
          {kind === "text" ? <CodeView text={text ?? ""} truncated={truncated ?? false} /> : ""}
          {kind === "none"
            ? (
              <p class="empty">
                <span class="big">
                  <Icon name="file" size="2.5rem" />
                </span>
                No preview for this kind of file.{" "}
                <a href={`${src}?download=1`} hx-boost="false">Download it</a>.
              </p>
            )
            : ""}
        </div>
      </section>
      {extra ?? ""}
    </>
  );
}

function CodeView({ text, truncated }: { text: string; truncated: boolean }) {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  return (
    <>
      {truncated
        ? <p class="notice">Showing the first part of a large file. Download it to see all of it.</p>
        : ""}
      {/* A named, keyboard-scrollable region: aria-label alone is not allowed on a plain <pre>. */}
      <pre
        class="fm-code"
        role="region"
        aria-label="File contents"
        tabindex={0}
      ><code>{lines.map((l, i) => <span key={i} class="ln">{l + "\n"}</span>)}</code></pre>
    </>
  );
}

/**
 * The text editor. After a save conflict (`conflict`: the file changed since it was opened) the
 * user's text stays in the editor, the file's current text is shown beside it, and the choices
 * are to save the edit as a copy or to overwrite the newer version; nothing is lost either way.
 */
export function EditPage(
  { chain, item, text, error, conflict }: {
    chain: Item[];
    item: Item;
    text: string;
    error?: string;
    conflict?: { theirs: string };
  },
) {
  return (
    <>
      <Places current="" />
      <section class="card files">
        <Crumbs chain={chain} last={false} />
        <h1>Edit {item.name}</h1>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {conflict
          ? (
            <p class="notice error" role="alert">
              This file changed since you opened it. Your text is still below, unsaved: save it as a copy to
              keep both, or overwrite the newer version with yours.
            </p>
          )
          : ""}
        <form method="post" action={`/browse/${item.id}/edit`} class="fm-editor" data-fm-editor>
          <input type="hidden" name="base" value={item.blobHash ?? ""} />
          <label class={conflict ? "" : "sr-only"} for="fm-text">{conflict ? "Your text" : "Contents"}</label>
          <textarea id="fm-text" name="content" spellcheck={false} rows={24}>{text}</textarea>
          {conflict
            ? (
              <>
                <label for="fm-theirs">The file as it is now</label>
                <textarea id="fm-theirs" readonly rows={12} spellcheck={false}>{conflict.theirs}</textarea>
              </>
            )
            : ""}
          <div class="row">
            {conflict
              ? (
                <>
                  <button type="submit" name="action" value="copy">Save as a copy</button>
                  <button type="submit" name="action" value="overwrite" class="secondary">Overwrite</button>
                </>
              )
              : <button type="submit" aria-keyshortcuts="Control+S">Save</button>}
            <a class="button secondary" href={`/browse/${item.id}`}>Cancel</a>
            {conflict ? "" : <span class="muted small">Ctrl+S saves</span>}
          </div>
        </form>
      </section>
    </>
  );
}

export function TrashPage(
  { entries, error, ok }: {
    entries: Array<TrashEntry & { from?: { id: string; path: string } }>;
    error?: string;
    ok?: string;
  },
) {
  return (
    <>
      <Places current="/trash" />
      <section class="card files">
        <div class="fm-head">
          <h1>Trash</h1>
          {entries.length
            ? (
              <form
                method="post"
                action="/trash/empty"
                data-fm-confirm="Delete everything in the trash for good?"
              >
                <button type="submit" class="danger small">
                  <FmIcon name="trash" /> Empty trash
                </button>
              </form>
            )
            : ""}
        </div>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {ok ? <p class="notice ok" role="status">{ok}</p> : ""}
        {entries.length === 0
          ? <p class="empty">The trash is empty.</p>
          : (
            <ul class="items fm-trash" aria-label="Deleted items">
              {entries.map((e) => (
                <li>
                  <span class="icon">
                    <FmIcon name={e.item.kind === "folder" ? "folder" : "file"} />
                  </span>
                  <span class="name">{e.originalName}</span>
                  <span class="meta">{e.item.kind === "folder" ? "Folder" : formatBytes(e.item.size)}</span>
                  <span class="meta when">
                    deleted <Time ms={e.deletedAt} />
                    <span class="fm-from">
                      {e.from
                        ? (
                          <>
                            from{" "}
                            <a href={e.from.id === ROOT_ID ? "/browse" : `/browse/${e.from.id}`}>
                              {e.from.path ? `Home / ${e.from.path}` : "Home"}
                            </a>
                          </>
                        )
                        : "from a folder that is gone"}
                    </span>
                  </span>
                  <span class="fm-rowacts">
                    <form method="post" action={`/trash/${e.item.id}/restore`}>
                      <button type="submit" class="secondary small" aria-label={`Restore ${e.originalName}`}>
                        <FmIcon name="restore" /> Restore
                      </button>
                    </form>
                    <form method="post" action={`/trash/${e.item.id}/delete`}>
                      <button
                        type="submit"
                        class="danger small"
                        aria-label={`Delete ${e.originalName} for good`}
                      >
                        Delete
                      </button>
                    </form>
                  </span>
                </li>
              ))}
            </ul>
          )}
      </section>
    </>
  );
}

/** Recent and Favorites: the same rows, selection bar and dialogs as a folder's page. */
export function ItemsPage(
  { title, current, list, empty, when, rows, back, ok, error }: {
    ok?: string;
    error?: string;
    title: string;
    current: string;
    list: Item[];
    empty: string;
    when?: (item: Item) => number;
    rows: Omit<RowProps, "item" | "when" | "view">;
    back: string;
  },
) {
  return (
    <>
      <Places current={current} />
      <section class="card files">
        <h1>{title}</h1>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {ok ? <p class="notice ok" role="status">{ok}</p> : ""}
        {list.length === 0 ? <p class="empty">{empty}</p> : (
          <>
            <SelectionBar folderId="" back={back} />
            <div id="listing" class="fm-listing fm-list" data-total={String(list.length)} data-page="1">
              <p class="fm-count" data-fm-count>
                {`${fmt(list.length)} ${list.length === 1 ? "item" : "items"}`}
              </p>
              <ul class="items" aria-label={title}>
                {list.map((item) => (
                  <Row key={item.id} item={item} {...rows} view="list" when={when?.(item)} />
                ))}
              </ul>
            </div>
          </>
        )}
      </section>
      <dialog id="fm-dialog" class="fm-dialog"></dialog>
    </>
  );
}

/**
 * The folder picker for Move / Copy (loaded into a dialog on demand): the folder tree, collapsible,
 * with a filter (files/client/dialogs.ts); nothing chosen until the user chooses, the items' own
 * folder disabled for a move, the moved folders and what is inside them left out.
 */
export function FolderPicker(
  { nodes, here, action, ids, all, back }: {
    nodes: Array<{ id: string; parentId: string; name: string }>;
    here: Set<string>;
    action: "move" | "copy";
    ids: string[];
    /** "Select all": the folder and filter whose every item goes (not a hidden input per item). */
    all?: { folder: string; q: string };
    back: string;
  },
) {
  const kids = new Map<string, Array<{ id: string; name: string }>>();
  for (const n of nodes) {
    const list = kids.get(n.parentId) ?? [];
    list.push(n);
    kids.set(n.parentId, list);
  }
  const Choice = ({ id, name }: { id: string; name: string }) => (
    <label class="fm-tree-choice">
      <input type="radio" name="target" value={id} required disabled={here.has(id)} />
      <FmIcon name="folder" /> {name}
      {here.has(id) ? <span class="muted small">(they are here)</span> : ""}
    </label>
  );
  const Node = ({ id, name, depth }: { id: string; name: string; depth: number }): Child => {
    const children = kids.get(id) ?? [];
    return (
      <li data-fm-folder={name.toLowerCase()}>
        {children.length
          ? (
            <details open={depth < 0}>
              <summary>
                <Choice id={id} name={name} />
              </summary>
              <ul>{children.map((k) => <Node key={k.id} id={k.id} name={k.name} depth={depth + 1} />)}</ul>
            </details>
          )
          : <Choice id={id} name={name} />}
      </li>
    );
  };
  const verb = action === "move" ? "Move" : "Copy";
  return (
    <form method="post" action={`/files/${action}`} class="fm-picker">
      {all
        ? (
          <>
            <input type="hidden" name="all" value={all.folder} />
            <input type="hidden" name="allq" value={all.q} />
          </>
        )
        : ids.map((id) => <input key={id} type="hidden" name="ids" value={id} />)}
      <input type="hidden" name="back" value={back} />
      <h2 id="fm-picker-title">
        {verb} {ids.length === 1 ? "1 item" : `${ids.length} items`} to…
      </h2>
      <label for="fm-picker-q">Find a folder</label>
      <input id="fm-picker-q" type="search" autocomplete="off" data-fm-picker-filter />
      <fieldset class="fm-tree">
        <legend class="sr-only">Folders</legend>
        <ul>
          <Node id={ROOT_ID} name="Home" depth={-1} />
        </ul>
        <p class="muted" data-fm-picker-none hidden>No folder has that name.</p>
      </fieldset>
      <div class="row">
        <button type="submit">{verb} here</button>
        <button type="button" class="secondary" data-fm-close>Cancel</button>
      </div>
    </form>
  );
}

function ShortcutHelp() {
  const keys: Array<[string, string]> = [
    ["/", "Filter this folder"],
    ["j / k or ↓ / ↑", "Next / previous item"],
    ["Enter", "Open"],
    ["x or Space", "Select"],
    ["Ctrl+A", "Select all on this page"],
    ["Esc", "Clear selection"],
    ["Delete", "Move selected to trash"],
    ["F2", "Rename"],
    ["m", "Move selected"],
    ["c", "Copy selected"],
    ["s", "Star selected"],
    ["n", "New folder"],
    ["u", "Upload"],
    ["Backspace", "Up one folder"],
    ["v", "Switch list / icons"],
    ["← / →", "Previous / next page"],
    ["?", "This help"],
  ];
  return (
    <>
      <dialog id="fm-help" class="fm-dialog" aria-labelledby="fm-help-title">
        <h2 id="fm-help-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {keys.map(([k, v]) => (
              <tr>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="dialog">
          <button type="submit" class="secondary">Close</button>
        </form>
      </dialog>
      <dialog id="fm-dialog" class="fm-dialog"></dialog>
    </>
  );
}

/** The stylesheet and script, inside the page body: a boosted htmx navigation swaps the body, not <head>. */
export function Assets({ children }: { children?: Child }) {
  return (
    <>
      <link rel="stylesheet" href="/_static/files.css" />
      <script src="/_static/files.js" type="module"></script>
      {children}
    </>
  );
}

/** "1 folder", "2,000 folders". */
function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

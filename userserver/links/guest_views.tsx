/**
 * What a link's visitor sees: no Hearth chrome, no owner's data — the linked file or folder, its
 * note, and what the link allows (browse, preview, download, zip, drop files, comment). Every page
 * works without JavaScript except file drop, which uses resumable uploads.
 */
import type { Child } from "hono/jsx";
import { Head } from "../../shared/ui/head.tsx";
import type { Item } from "../store/mod.ts";
import { formatBytes } from "../web/format.ts";
import { Time } from "../web/time.tsx";
import { Icon } from "../web/icons.tsx";
import { type ListPage, listQueryString } from "../files/mod.ts";
import { cursorOf } from "../files/listing.ts";
import type { Link } from "./store.ts";

const GUEST_CSS = `
main{max-width:64rem;margin:0 auto;padding:1rem}
.g-head{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
.g-head h1{margin:.2rem 0;font-size:1.4rem;overflow-wrap:anywhere}
.g-note{white-space:pre-wrap;border-left:3px solid var(--accent);padding:.4rem .8rem;margin:.8rem 0}
.g-list{list-style:none;margin:0;padding:0}
.g-list li{display:grid;grid-template-columns:1.6rem 3rem 1fr auto auto;gap:.6rem;align-items:center;
  padding:.35rem .2rem;border-bottom:1px solid var(--line)}
.g-list .name{overflow-wrap:anywhere}
.g-list img{width:3rem;height:3rem;object-fit:cover;border-radius:4px}
.g-list .meta{color:var(--muted);font-size:.85rem;white-space:nowrap}
@media (max-width:40rem){.g-list li{grid-template-columns:1.6rem 2.4rem 1fr auto}.g-list .when{display:none}}
.g-view img,.g-view video{max-width:100%;height:auto;display:block;margin:1rem auto;border-radius:6px}
.g-view pre{overflow:auto;max-height:70vh;padding:1rem;background:var(--card-2,rgba(127,127,127,.08));border-radius:6px}
.g-pages img{display:block;max-width:100%;margin:0 auto 1rem;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.g-pager{display:flex;gap:1rem;align-items:center;justify-content:space-between;margin-top:1rem}
.g-drop{border:2px dashed var(--line);border-radius:10px;padding:2rem;text-align:center}
.g-drop.over{border-color:var(--accent)}
.g-uploads{list-style:none;padding:0}
.g-uploads li{display:flex;gap:.6rem;align-items:center;padding:.2rem 0}
.g-uploads progress{flex:1}
.crumbs{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
`;

export function GuestFrame({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <Head title={`${title} · Hearth`} css={GUEST_CSS} />
      <body>
        <main>{children}</main>
        <footer class="site">Shared with Hearth — served by its owner's own machine</footer>
      </body>
    </html>
  );
}

export function GonePage() {
  return (
    <GuestFrame title="Not found">
      <section class="card">
        <h1>This link does not work</h1>
        <p class="muted">
          It may have been mistyped, switched off, expired or deleted by the person who shared it.
        </p>
      </section>
    </GuestFrame>
  );
}

export function RefusedPage({ title, message }: { title: string; message: string }) {
  return (
    <GuestFrame title={title}>
      <section class="card">
        <h1>{title}</h1>
        <p>{message}</p>
      </section>
    </GuestFrame>
  );
}

export function UnlockPage(
  { base, label, error, retryAt, left }: {
    base: string;
    label: string;
    error?: string;
    retryAt?: number;
    left?: number;
  },
) {
  return (
    <GuestFrame title={label}>
      <section class="card" style="max-width:28rem;margin:2rem auto">
        <h1>“{label}” is protected</h1>
        <p class="muted">Enter the password you were given to see it.</p>
        {retryAt
          ? (
            <p class="notice error" role="alert">
              Too many wrong passwords from your network. Try again after <Time ms={retryAt} />.
            </p>
          )
          : error
          ? (
            <p class="notice error" role="alert">
              {error}
              {left !== undefined && left <= 5
                ? ` ${left} ${left === 1 ? "try" : "tries"} left before a pause.`
                : ""}
            </p>
          )
          : ""}
        <form method="post" action={`${base}/unlock`}>
          <label for="g-password">Password</label>
          <input
            id="g-password"
            type="password"
            name="password"
            required
            autocomplete="current-password"
            autofocus
          />
          <p>
            <button type="submit">Open</button>
          </p>
        </form>
      </section>
    </GuestFrame>
  );
}

/** The guest's way back up from an item to the linked folder (nothing above it). */
function Crumbs({ chain, base }: { chain: Item[]; base: string }) {
  if (chain.length < 2) return "";
  return (
    <nav class="crumbs" aria-label="Folder path">
      {chain.slice(0, -1).map((f, i) => (
        <>
          {i > 0 ? <span aria-hidden="true">›</span> : ""}
          <a href={i === 0 ? base : `${base}/i/${f.id}`}>{f.name}</a>
        </>
      ))}
    </nav>
  );
}

function Note({ link }: { link: Link }) {
  return link.note ? <p class="g-note">{link.note}</p> : "";
}

export interface GuestFolderProps {
  link: Link;
  base: string;
  chain: Item[];
  listing: ListPage;
  canDownload: boolean;
  canThumb(item: Item): boolean;
}

export function FolderView(p: GuestFolderProps) {
  const folder = p.chain.at(-1)!;
  const here = p.chain.length === 1 ? p.base : `${p.base}/i/${folder.id}`;
  const q = p.listing.query;
  const l = p.listing;
  return (
    <GuestFrame title={folder.name}>
      <section class="card">
        <Crumbs chain={p.chain} base={p.base} />
        <div class="g-head">
          <h1>{folder.name}</h1>
          {p.canDownload
            ? (
              <a class="button small" href={`${p.base}/zip/${folder.id}`} download>
                Download all as zip
              </a>
            )
            : ""}
        </div>
        <Note link={p.link} />
        <p class="muted" data-count>{l.total.toLocaleString("en")} {l.total === 1 ? "item" : "items"}</p>
        <form method="post" action={`${p.base}/zip`} id="g-sel">
          <ul class="g-list" aria-label="Items">
            {l.items.map((item) => (
              <li>
                {p.canDownload
                  ? <input type="checkbox" name="ids" value={item.id} aria-label={`Select ${item.name}`} />
                  : <span></span>}
                {item.kind === "file" && p.canThumb(item)
                  ? (
                    <img
                      src={`${p.base}/thumb/${item.id}?h=${item.blobHash!.slice(0, 12)}`}
                      alt=""
                      loading="lazy"
                    />
                  )
                  : (
                    <span aria-hidden="true">
                      <Icon name={item.kind === "folder" ? "folder" : "file"} size="1.6rem" />
                    </span>
                  )}
                <a class="name" href={`${p.base}/i/${item.id}`}>{item.name}</a>
                <span class="meta">{item.kind === "folder" ? "Folder" : formatBytes(item.size)}</span>
                <span class="meta when">
                  <Time ms={item.mtime} />
                </span>
              </li>
            ))}
          </ul>
          {p.canDownload && l.items.length > 0
            ? (
              <p>
                <button type="submit" class="secondary small">Download selected as zip</button>
              </p>
            )
            : ""}
        </form>
        {l.pages > 1
          ? (
            <nav class="g-pager" aria-label="Pages">
              {l.page > 1
                ? (
                  <a
                    rel="prev"
                    href={here +
                      listQueryString(q, { page: l.page - 1, before: cursorOf(l.items[0]!, q.sort) })}
                  >
                    ← Previous
                  </a>
                )
                : <span></span>}
              <span class="muted">Page {l.page} of {l.pages}</span>
              {l.page < l.pages
                ? (
                  <a
                    rel="next"
                    href={here +
                      listQueryString(q, { page: l.page + 1, after: cursorOf(l.items.at(-1)!, q.sort) })}
                  >
                    Next →
                  </a>
                )
                : <span></span>}
            </nav>
          )
          : ""}
      </section>
    </GuestFrame>
  );
}

export interface GuestFileProps {
  link: Link;
  base: string;
  chain: Item[];
  item: Item;
  /** What is shown: the original (inline), a rendition, the text, or nothing. */
  show: "image" | "video" | "audio" | "pdf" | "text" | "none";
  /** Whether what is shown is a rendition (preview-only links). */
  rendition: boolean;
  pdfPages: number;
  text?: string;
  canDownload: boolean;
  comments?: Child;
}

export function FileView(p: GuestFileProps) {
  const { item } = p;
  const original = `${p.base}/files/${item.id}`;
  const rendered = `${p.base}/render/${item.id}`;
  const src = p.rendition ? rendered : original;
  return (
    <GuestFrame title={item.name}>
      <section class="card">
        <Crumbs chain={p.chain} base={p.base} />
        <div class="g-head">
          <h1>{item.name}</h1>
          {p.canDownload
            ? (
              <a class="button small" href={`${original}?download=1`} download>
                Download ({formatBytes(item.size)})
              </a>
            )
            : ""}
        </div>
        <Note link={p.link} />
        <p class="muted small">
          {formatBytes(item.size)} · modified <Time ms={item.mtime} />
          {p.rendition ? " · preview only" : ""}
        </p>
        <div class="g-view">
          {p.show === "image" ? <img src={src} alt={item.name} /> : ""}
          {p.show === "video" ? <video src={src} controls preload="metadata"></video> : ""}
          {p.show === "audio" ? <audio src={src} controls preload="metadata"></audio> : ""}
          {p.show === "pdf" && p.rendition
            ? (
              <div class="g-pages">
                {Array.from(
                  { length: p.pdfPages },
                  (_, i) => (
                    <img
                      key={String(i)}
                      src={`${rendered}?page=${i + 1}`}
                      alt={`Page ${i + 1}`}
                      loading="lazy"
                    />
                  ),
                )}
              </div>
            )
            : ""}
          {p.show === "pdf" && !p.rendition
            ? <iframe src={original} title={item.name} style="width:100%;height:80vh;border:0"></iframe>
            : ""}
          {p.show === "text" ? <pre>{p.text}</pre> : ""}
          {p.show === "none" ? <p class="muted">No preview for this kind of file.</p> : ""}
        </div>
      </section>
      {p.comments ?? ""}
    </GuestFrame>
  );
}

export function DropView({ link, base, folder }: { link: Link; base: string; folder: Item }) {
  return (
    <GuestFrame title={`Send files to ${link.label}`}>
      <section class="card" data-drop-token={base.slice(3)} data-drop-folder={folder.id}>
        <h1>Send files to “{link.label}”</h1>
        <Note link={link} />
        <p class="muted">
          What you send goes straight to its owner. You will not see the folder's contents, nor anyone else's
          files.
        </p>
        <div class="g-drop" data-drop-zone>
          <p>Drop files here, or</p>
          <label class="button" for="g-files">Choose files</label>
          <input id="g-files" type="file" multiple data-drop-input class="sr-only" />
        </div>
        <ul class="g-uploads" data-drop-list aria-live="polite"></ul>
        <noscript>
          <p class="notice error">
            Sending files needs JavaScript (uploads resume after a dropped connection).
          </p>
        </noscript>
      </section>
      <script src="/_static/links.js" type="module"></script>
    </GuestFrame>
  );
}

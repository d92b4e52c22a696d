/** The Collection page: scan (camera or photo), type a code, and the list. */
import { type Notice, Notices } from "../web/notices.tsx";
import { Places } from "../files/views.tsx";
import { Time } from "../web/time.tsx";
import type { CollectionItem } from "./plugin.tsx";
import type { Item } from "../store/mod.ts";
import { Icon } from "../web/icons.tsx";
import { FORMAT_NAMES } from "./formats.ts";

export function CollectionPage(
  { items, photos, total, q, notices }: {
    items: CollectionItem[];
    /** The entries' photos that are still there, by item id. */
    photos: Map<string, Item>;
    total: number;
    q: string;
    notices: Notice;
  },
) {
  return (
    <>
      <script src="/_static/scan.js" type="module"></script>
      <Places current="/collection" />
      <section class="card coll" data-collection>
        <h1>Collection</h1>
        <Notices {...notices} />
        <p class="muted">
          Bar codes of the things you own, kept on your own server. Nothing is looked up online.
        </p>
        <div class="row">
          <button type="button" data-scan-camera>Scan with the camera</button>
          <label class="button secondary" for="scan-photo">Read a code from a photo</label>
          <input id="scan-photo" class="sr-only" type="file" accept="image/*" data-scan-photo />
        </div>
        <div class="coll-camera" data-scan-view hidden>
          <video data-scan-video muted playsinline aria-label="Camera view"></video>
          <button type="button" class="secondary small" data-scan-stop>Stop</button>
        </div>
        <p role="status" aria-live="polite" data-scan-status></p>
        <details>
          <summary>Type a code</summary>
          <form method="post" action="/collection" class="row" enctype="multipart/form-data">
            <input type="hidden" name="source" value="typed" />
            <label for="coll-code" class="sr-only">Code</label>
            <input
              id="coll-code"
              name="code"
              type="text"
              required
              placeholder="4006381333931"
              inputmode="text"
            />
            <label for="coll-note" class="sr-only">Note</label>
            <input id="coll-note" name="note" type="text" placeholder="A note (optional)" />
            {/* No `capture`: a phone offers its camera and its gallery both. */}
            <label for="coll-photo" class="button secondary small">
              <Icon name="image" /> Photo (optional)
            </label>
            <input
              id="coll-photo"
              name="photo"
              type="file"
              accept="image/*"
              class="sr-only"
              data-coll-photo-name
            />
            <span class="muted small" data-coll-photo-chosen></span>
            <button type="submit" class="small">Add</button>
          </form>
        </details>
        <form method="get" action="/collection" class="row" role="search">
          <label for="coll-q" class="sr-only">Filter the collection</label>
          <input id="coll-q" name="q" type="search" value={q} placeholder="Filter by code or note" />
        </form>
        <p class="muted small">
          {q ? `${items.length} of ${total}` : `${total} ${total === 1 ? "thing" : "things"}`}
        </p>
        <ul class="items coll-list" aria-label="Collection" data-collection-list>
          {items.map((i) => (
            <li key={i.id} data-code={i.code}>
              <EntryPhoto entry={i} photo={i.photoId ? photos.get(i.photoId) : undefined} />
              <span class="name">
                <strong style="overflow-wrap:anywhere">{i.code}</strong>{" "}
                {i.format ? <span class="badge">{FORMAT_NAMES[i.format] ?? i.format}</span> : ""}
                {i.note ? <span class="muted">· {i.note}</span> : ""}
                <br />
                <span class="muted small">
                  <Time ms={i.createdAt} /> ·{" "}
                  {i.source === "camera" ? "scanned" : i.source === "photo" ? "from a photo" : "typed"}
                </span>
              </span>
              <form method="post" action={`/collection/${i.id}/delete`}>
                <button type="submit" class="danger small" aria-label={`Remove ${i.code}`}>Remove</button>
              </form>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** The entry's photo as a thumbnail opening the file, or a tile to add one (taken or picked). */
function EntryPhoto({ entry, photo }: { entry: CollectionItem; photo?: Item }) {
  if (photo) {
    return (
      <a href={`/browse/${photo.id}`} class="coll-thumb" title={`Photo of ${entry.code}`}>
        <img
          src={`/files/${photo.id}/thumb?h=${photo.blobHash!.slice(0, 12)}`}
          alt={`Photo of ${entry.code}`}
          loading="lazy"
          decoding="async"
          width="56"
          height="56"
        />
      </a>
    );
  }
  return (
    <form
      method="post"
      action={`/collection/${entry.id}/photo`}
      enctype="multipart/form-data"
      class="coll-thumb coll-add-photo"
      data-coll-photo-form
    >
      <label for={`coll-photo-${entry.id}`} title={`Add a photo of ${entry.code}`}>
        <Icon name="image" />
        <span class="sr-only">Add a photo of {entry.code}</span>
      </label>
      <input id={`coll-photo-${entry.id}`} name="photo" type="file" accept="image/*" class="sr-only" />
      {/* With script the choice sends itself (scan.ts); without, this button does. */}
      <noscript>
        <button type="submit" class="small">Save</button>
      </noscript>
    </form>
  );
}

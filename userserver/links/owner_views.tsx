/**
 * The owner's side of links: the Share page of an item (its links, each with its URL, copy and QR
 * code, figures and settings, and a form for a new one) and "Shared by link" (every link).
 */
import type { Child } from "hono/jsx";
import type { Item } from "../store/mod.ts";
import { Time } from "../web/time.tsx";
import { Icon } from "../web/icons.tsx";
import { Assets, Crumbs, Places } from "../files/views.tsx";
import type { LinkState } from "./door.ts";
import { type Link, MAX_LABEL, MAX_NOTE, MIN_PASSWORD } from "./store.ts";

export interface LinkView {
  link: Link;
  url: string;
  state: LinkState;
  item?: Item;
}

const STATE_TEXT: Record<LinkState, string> = {
  open: "Open",
  inactive: "Switched off",
  expired: "Expired",
  gone: "Item deleted",
};

const day = (ms: number | null) => ms === null ? "" : new Date(ms).toISOString().slice(0, 10);

function Figures({ link }: { link: Link }) {
  return (
    <p class="muted small" data-link-figures>
      {link.views} {link.views === 1 ? "view" : "views"} · {link.downloads}
      {link.downloadLimit !== null ? ` of ${link.downloadLimit}` : ""}{" "}
      {link.downloads === 1 ? "download" : "downloads"}
      {" · "}
      {link.uploads} {link.uploads === 1 ? "upload" : "uploads"} · {link.failedPasswords} failed{" "}
      {link.failedPasswords === 1 ? "password" : "passwords"} · {link.lastUsedAt
        ? (
          <>
            last used <Time ms={link.lastUsedAt} />
          </>
        )
        : "not used yet"}
    </p>
  );
}

function SettingsFields({ link, item }: { link?: Link; item: Item }) {
  const id = link?.id ?? "new";
  const check = (name: string, label: string, on: boolean, hint?: string) => (
    <label class="check">
      <input type="checkbox" name={name} value="1" checked={on} /> {label}
      {hint ? <span class="muted small">{` — ${hint}`}</span> : ""}
    </label>
  );
  return (
    <>
      <input type="hidden" name="itemId" value={item.id} />
      <label for={`l-label-${id}`}>Label</label>
      <input
        id={`l-label-${id}`}
        name="label"
        maxlength={MAX_LABEL}
        value={link?.label ?? ""}
        placeholder={item.name}
      />
      <label for={`l-pw-${id}`}>
        {link?.hasPassword ? "New password (leave empty to keep the current one)" : "Password (optional)"}
      </label>
      <input
        id={`l-pw-${id}`}
        type="password"
        name="password"
        minlength={MIN_PASSWORD}
        autocomplete="new-password"
      />
      {link?.hasPassword ? check("removePassword", "Remove the password", false) : ""}
      <div class="row">
        <span>
          <label for={`l-exp-${id}`}>Expires on</label>
          <input id={`l-exp-${id}`} type="date" name="expires" value={day(link?.expiresAt ?? null)} />
        </span>
        <span>
          <label for={`l-lim-${id}`}>Download limit</label>
          <input
            id={`l-lim-${id}`}
            type="number"
            min="1"
            name="downloadLimit"
            value={link?.downloadLimit ?? ""}
          />
        </span>
      </div>
      <fieldset>
        <legend>What visitors may do</legend>
        {check(
          "active",
          "Active",
          link?.active ?? true,
          "off: the link answers “not found” but keeps its settings",
        )}
        {check("previewOnly", "Preview only", link?.previewOnly ?? false, "never sends the original files")}
        {check(
          "hideDownload",
          "Hide downloads",
          link?.hideDownload ?? false,
          "view and play, no download buttons",
        )}
        {item.kind === "folder"
          ? check(
            "fileDrop",
            "File drop",
            link?.fileDrop ?? false,
            "visitors upload into the folder and see nothing",
          )
          : ""}
        {check("allowComments", "Allow comments", link?.allowComments ?? false)}
      </fieldset>
      <label for={`l-note-${id}`}>Note shown to visitors</label>
      <textarea id={`l-note-${id}`} name="note" maxlength={MAX_NOTE} rows={2}>{link?.note ?? ""}</textarea>
    </>
  );
}

export function SharePage(
  { item, chain, links, error, ok, more }: {
    item: Item;
    chain: Item[];
    links: LinkView[];
    error?: string;
    ok?: string;
    /** Sections other plugins add (friends and groups). */
    more?: Child;
  },
) {
  const back = `/browse/${item.id}/share`;
  return (
    <>
      <Assets>
        <script src="/_static/links.js" type="module"></script>
      </Assets>
      <Places current="/links" />
      <section class="card files fm-share">
        <Crumbs chain={chain} last={false} />
        <h1>Share “{item.name}”</h1>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {ok ? <p class="notice ok" role="status">{ok}</p> : ""}
        {links.length === 0
          ? <p class="muted">No links yet. Anyone with a link can open it without an account.</p>
          : ""}
        {links.map(({ link, url, state }) => (
          <article class="fm-link" id={`link-${link.id}`} data-link={link.id}>
            <h2>
              {link.label} <span class={`badge ${state}`}>{STATE_TEXT[state]}</span>
              {link.hasPassword ? <span class="badge">Password</span> : ""}
            </h2>
            <div class="row">
              <input type="text" readonly value={url} aria-label={`Address of ${link.label}`} data-link-url />
              <button type="button" class="secondary small" data-copy={url}>Copy</button>
            </div>
            <Figures link={link} />
            <details>
              <summary>QR code</summary>
              <img
                src={`/links/${link.id}/qr.svg`}
                alt={`QR code for ${link.label}`}
                width="200"
                height="200"
              />
            </details>
            <details>
              <summary>Settings</summary>
              <form method="post" action={`/links/${link.id}`}>
                <input type="hidden" name="back" value={back} />
                <SettingsFields link={link} item={item} />
                <button type="submit" class="small">Save</button>
              </form>
            </details>
            <form method="post" action={`/links/${link.id}/delete`}>
              <input type="hidden" name="back" value={back} />
              <button type="submit" class="danger small">Delete link</button>
            </form>
          </article>
        ))}
        <details open={links.length === 0}>
          <summary>
            <strong>New link</strong>
          </summary>
          <form method="post" action="/links">
            <input type="hidden" name="back" value={back} />
            <SettingsFields item={item} />
            <button type="submit">Create link</button>
          </form>
        </details>
        {more ?? ""}
      </section>
    </>
  );
}

export function SharedByLinkPage({ links }: { links: LinkView[] }) {
  return (
    <>
      <Assets />
      <Places current="/links" />
      <section class="card files">
        <h1>Shared by link</h1>
        {links.length === 0
          ? <p class="muted">Nothing is shared by link. Open a file or folder and choose Share.</p>
          : (
            <ul class="fm-links" aria-label="Links">
              {links.map(({ link, state, item }) => (
                <li data-link={link.id}>
                  <Icon name={item?.kind === "folder" ? "folder" : "file"} />{" "}
                  <a href={item ? `/browse/${item.id}/share#link-${link.id}` : "#"}>
                    <strong>{link.label}</strong>
                  </a>{" "}
                  <span class="muted">{item ? item.name : "(deleted item)"}</span>{" "}
                  <span class={`badge ${state}`}>{STATE_TEXT[state]}</span>
                  <Figures link={link} />
                </li>
              ))}
            </ul>
          )}
      </section>
    </>
  );
}

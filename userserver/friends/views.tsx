/** The friends plugin's pages: Friends (requests, friends, groups), the CAPTCHA step, Shared with me. */
import type { Child } from "hono/jsx";
import { FmIcon, Places } from "../files/views.tsx";
import { type Notice, Notices } from "../web/notices.tsx";

/** The friends pages' own styles (on every page of theirs and on the Share page's section). */
export function FriendsStyles() {
  return <link rel="stylesheet" href="/_static/friends.css" />;
}
import { formatBytes } from "../web/format.ts";
import { Time } from "../web/time.tsx";
import type { Relation } from "./relations.ts";
import type { PendingAsk } from "./handshake.ts";
import type { FriendStatus } from "./share_task.ts";
import type { PeerItem } from "./shared_items.ts";
import type { AclEntry } from "../permissions/mod.ts";

function Status({ status }: { status: FriendStatus | undefined }) {
  if (!status) return <span class="badge">checking…</span>;
  return status.online
    ? <span class="badge ok">online</span>
    : <span class="badge" title={status.error}>offline</span>;
}

const STATE_TEXT: Record<Relation["state"], string> = {
  outgoing: "Request sent",
  incoming: "Asks to be your friend",
  accepted: "Friend",
  rejected: "Declined",
  subscribed: "You follow what they share",
  subscriber: "Follows what you share",
};

function Action(
  { name, to, label, cls = "secondary small" }: { name: string; to: string; label: string; cls?: string },
) {
  return (
    <form method="post" action={`/friends/${name}/${to}`} class="inline">
      <button type="submit" class={cls}>{label}</button>
    </form>
  );
}

function RelationRow(
  { r, status, groups }: { r: Relation; status: FriendStatus | undefined; groups: string[] },
) {
  return (
    <li class="fr-row" data-friend={r.name}>
      <span class="name">
        <strong>{r.name}</strong> <span class="muted">{STATE_TEXT[r.state]}</span> <Status status={status} />
        {r.keyChangedAt
          ? (
            <span class="notice error fr-key" role="alert">
              {r.name}'s server key changed{" "}
              <Time ms={r.keyChangedAt} />. Requests signed with the new key are refused until you trust it.
            </span>
          )
          : ""}
        {r.note ? <span class="muted fr-note">“{r.note}”</span> : ""}
        {groups.length ? <span class="muted">Groups: {groups.join(", ")}</span> : ""}
      </span>
      <span class="fm-rowacts">
        {r.state === "incoming"
          ? (
            <>
              <Action name={r.name} to="accept" label="Accept" cls="small" />
              <Action name={r.name} to="subscribe" label="Subscribe" />
              <Action name={r.name} to="reject" label="Reject" cls="danger small" />
            </>
          )
          : ""}
        {r.keyChangedAt ? <Action name={r.name} to="trust-key" label="Trust the new key" /> : ""}
        {r.state === "outgoing"
          ? <Action name={r.name} to="end" label="Cancel request" cls="danger small" />
          : ""}
        {r.state === "accepted" || r.state === "subscribed" || r.state === "subscriber"
          ? <Action name={r.name} to="end" label="Unfriend" cls="danger small" />
          : ""}
        {r.state === "rejected" ? <Action name={r.name} to="end" label="Forget" cls="secondary small" /> : ""}
      </span>
    </li>
  );
}

export function FriendsPage(
  { relations, statusOf, groups, notices, self, zone }: {
    relations: Relation[];
    statusOf: (name: string) => FriendStatus | undefined;
    groups: { name: string; members: string[] }[];
    notices: Notice;
    self: string;
    zone: string;
  },
) {
  const groupsOf = (name: string) => groups.filter((g) => g.members.includes(name)).map((g) => g.name);
  const section = (title: string, states: Relation["state"][], empty: string) => {
    const rows = relations.filter((r) => states.includes(r.state));
    return (
      <section class="fr-list" aria-labelledby={`fr-${states[0]}`}>
        <h2 id={`fr-${states[0]}`}>
          {title} <span class="muted">({rows.length})</span>
        </h2>
        {rows.length === 0 ? <p class="muted">{empty}</p> : (
          <ul class="items">
            {rows.map((r) => (
              <RelationRow key={r.name} r={r} status={statusOf(r.name)} groups={groupsOf(r.name)} />
            ))}
          </ul>
        )}
      </section>
    );
  };
  const sharable = relations.filter((r) => r.state === "accepted" || r.state === "subscriber");
  return (
    <section class="card fr-page">
      <FriendsStyles />
      <h1>Friends</h1>
      <Notices {...notices} />
      <form method="post" action="/friends/ask" class="row fr-ask">
        <label for="fr-name">Ask a friend by their Hearth name</label>
        <input
          id="fr-name"
          name="name"
          type="text"
          required
          placeholder={`bob or bob.${zone}`}
          autocomplete="off"
        />
        <input name="note" type="text" maxlength={500} placeholder="A note (optional)" aria-label="A note" />
        <button type="submit">Ask</button>
      </form>
      <p class="muted">
        Your Hearth name is{" "}
        <strong>{self}</strong>. Servers ask each other directly; no one else learns who your friends are.
      </p>
      {section("Requests to you", ["incoming"], "No requests.")}
      {section("Friends", ["accepted"], "No friends yet.")}
      {section("Subscriptions", ["subscribed", "subscriber"], "None.")}
      {section("Requests you sent", ["outgoing"], "None pending.")}
      {section("Declined", ["rejected"], "None.")}
      <section aria-labelledby="fr-groups">
        <h2 id="fr-groups">Groups</h2>
        {groups.length === 0
          ? <p class="muted">No groups yet. Share with a group to share with everyone in it.</p>
          : ""}
        {groups.map((g) => (
          <article class="fr-group" data-group={g.name}>
            <h3>
              {g.name} <span class="muted">({g.members.length})</span>
            </h3>
            <ul class="fr-members">
              {g.members.map((m) => (
                <li>
                  {m}
                  <form method="post" action={`/friends/groups/${g.name}/remove`} class="inline">
                    <input type="hidden" name="member" value={m} />
                    <button type="submit" class="link" aria-label={`Remove ${m} from ${g.name}`}>
                      remove
                    </button>
                  </form>
                </li>
              ))}
            </ul>
            <form method="post" action={`/friends/groups/${g.name}/add`} class="row">
              <select name="member" aria-label={`Add a friend to ${g.name}`}>
                {sharable.filter((r) => !g.members.includes(r.name)).map((r) => (
                  <option value={r.name}>{r.name}</option>
                ))}
              </select>
              <button type="submit" class="secondary small">Add</button>
            </form>
            <form method="post" action={`/friends/groups/${g.name}/rename`} class="row">
              <input
                name="to"
                type="text"
                required
                aria-label={`New name for ${g.name}`}
                placeholder="New name"
              />
              <button type="submit" class="secondary small">Rename</button>
            </form>
            <form method="post" action={`/friends/groups/${g.name}/delete`}>
              <button type="submit" class="danger small">Delete group</button>
            </form>
          </article>
        ))}
        <form method="post" action="/friends/groups" class="row">
          <label for="fr-group-new">New group</label>
          <input id="fr-group-new" name="name" type="text" required placeholder="family" />
          <button type="submit" class="secondary">Create</button>
        </form>
      </section>
    </section>
  );
}

export function AskPage({ ask }: { ask: PendingAsk }) {
  const src = `data:image/svg+xml;base64,${btoa(ask.challenge.svg)}`;
  return (
    <section class="card fr-page">
      <FriendsStyles />
      <h1>Ask {ask.name} to be your friend</h1>
      {ask.error ? <p class="notice error" role="alert">{ask.error}</p> : ""}
      <p>{ask.name}'s server asks you to type the characters in this picture:</p>
      {/* The other server's SVG as an image: an image cannot run script. */}
      <img
        class="fr-captcha"
        src={src}
        width="150"
        height="50"
        alt={`Characters to type, from ${ask.name}'s server`}
      />
      <form method="post" action={`/friends/ask/${ask.name}`} class="row">
        <input type="hidden" name="challengeId" value={ask.challenge.id} />
        <label for="fr-answer">
          The characters <span class="hint">Upper or lower case, as you like.</span>
        </label>
        <input
          id="fr-answer"
          name="answer"
          type="text"
          required
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
        />
        <button type="submit">Send request</button>
      </form>
      <p>
        <a href="/friends">Cancel</a>
      </p>
    </section>
  );
}

function SharedRow({ friend, item, online }: { friend: string; item: PeerItem; online: boolean }) {
  const href = `/shared/${friend}/${item.id}`;
  return (
    <li class={online ? "" : "fr-unavailable"} data-item={item.id}>
      <span class="icon">
        {online && item.kind === "file" && item.type.startsWith("image/")
          ? <img class="fr-thumb" src={`${href}/thumb`} alt="" width="32" height="32" loading="lazy" />
          : <FmIcon name={item.kind === "folder" ? "folder" : "file"} />}
      </span>
      <span class="name">
        {online ? <a class="fm-open" href={href}>{item.name}</a> : <span class="fm-open">{item.name}</span>}
      </span>
      <span class="meta size">{item.kind === "folder" ? "Folder" : formatBytes(item.size)}</span>
      <span class="meta type">{item.kind === "folder" ? "" : item.type}</span>
      <span class="meta access">{item.access === "write" ? "can edit" : "can view"}</span>
      <span class={online ? "meta when" : "meta when off"}>
        {online ? <Time ms={item.mtime} /> : "unavailable: offline"}
      </span>
    </li>
  );
}

export function SharedWithMePage(
  { byFriend, statusOf, notices }: {
    byFriend: { friend: string; items: PeerItem[] }[];
    statusOf: (name: string) => FriendStatus | undefined;
    notices: Notice;
  },
) {
  return (
    <>
      <FriendsStyles />
      <Places current="/shared" />
      <section class="card files fr-shared">
        <h1>Shared with me</h1>
        <Notices {...notices} />
        {byFriend.length === 0
          ? <p class="muted">Nothing yet. What your friends share with you shows here.</p>
          : ""}
        {byFriend.map(({ friend, items }) => {
          const status = statusOf(friend);
          return (
            <section aria-labelledby={`sh-${friend}`} data-friend={friend}>
              <h2 id={`sh-${friend}`}>
                {friend} <Status status={status} />
              </h2>
              {items.length === 0
                ? <p class="muted">Shares no files or folders with you.</p>
                : (
                  <ul class="items" aria-label={`Shared by ${friend}`}>
                    {items.map((i) => (
                      <SharedRow friend={friend} item={i} online={status?.online !== false} />
                    ))}
                  </ul>
                )}
              {status?.online
                ? (
                  // Albums are asked of the friend's server once this page is shown, never before it.
                  <div hx-get={`/shared/${friend}/albums`} hx-trigger="load" hx-swap="outerHTML">
                    <p class="muted small">Looking for albums…</p>
                  </div>
                )
                : ""}
            </section>
          );
        })}
      </section>
    </>
  );
}

export function RemoteItemPage(
  { friend, item, entries, notices }: {
    friend: string;
    item: PeerItem;
    /** A folder's items (not `children`: JSX keeps that name for nested elements). */
    entries?: PeerItem[];
    notices: Notice;
  },
) {
  const base = `/shared/${friend}/${item.id}`;
  return (
    <>
      <FriendsStyles />
      <Places current="/shared" />
      <section class="card files fr-remote" data-friend={friend} data-item={item.id}>
        <nav class="crumbs" aria-label="Where">
          <a href="/shared">Shared with me</a> / <span>{friend}</span>
        </nav>
        <h1>{item.name}</h1>
        <Notices {...notices} />
        <p class="muted">
          {item.kind === "folder" ? "Folder" : `${formatBytes(item.size)} · ${item.type}`} · shared by{" "}
          {friend} · {item.access === "write" ? "you can edit" : "you can view"}
        </p>
        {item.access === "write"
          ? (
            <form method="post" action={`${base}/rename`} class="row">
              <label for="fr-rename">Name</label>
              <input id="fr-rename" name="name" type="text" required value={item.name} />
              <button type="submit" class="secondary small">Rename</button>
            </form>
          )
          : ""}
        {item.kind === "folder" && item.access === "write"
          ? (
            <form method="post" action={`${base}/upload`} enctype="multipart/form-data" class="row">
              <label for="fr-file">Send a file into this folder</label>
              <input id="fr-file" name="file" type="file" multiple required />
              <button type="submit" class="small">Send</button>
            </form>
          )
          : ""}
        {item.kind === "file"
          ? (
            <>
              {item.type.startsWith("image/")
                ? <img class="fr-preview" src={`${base}/content`} alt={item.name} />
                : ""}
              <p class="row">
                <a class="button" href={`${base}/content?download=1`} download>
                  <FmIcon name="download" /> Download
                </a>
                <form method="post" action={`${base}/copy`} class="inline">
                  <button type="submit" class="secondary">Copy to my files</button>
                </form>
              </p>
            </>
          )
          : (
            <>
              {entries && entries.length === 0 ? <p class="muted">This folder is empty.</p> : ""}
              <ul class="items">
                {(entries ?? []).map((i) => <SharedRow key={i.id} friend={friend} item={i} online />)}
              </ul>
            </>
          )}
      </section>
    </>
  );
}

export function UnavailablePage({ friend, reason }: { friend: string; reason: string }) {
  return (
    <>
      <Places current="/shared" />
      <section class="card">
        <h1>{friend}'s server is unavailable</h1>
        <p class="muted">{reason}</p>
        <p>
          <a href="/shared">Back to Shared with me</a>
        </p>
      </section>
    </>
  );
}

/** The Share page's section (links plugin): friends and groups this item is shared with, and who to add. */
export function ShareWithFriends(
  { itemId, entries, inherited, friends, groups }: {
    itemId: string;
    entries: AclEntry[];
    /** The entries come from a folder above (shown, changed there or overridden here). */
    inherited: boolean;
    friends: string[];
    groups: string[];
  },
): Child {
  const back = `/browse/${itemId}/share`;
  const shown = entries.map((e) => ({ ...e, who: e.principal.slice(e.principal.indexOf(":") + 1) }));
  return (
    <section class="fr-share" aria-labelledby="fr-share-h">
      <FriendsStyles />
      <h2 id="fr-share-h">Friends and groups</h2>
      {inherited && entries.length ? <p class="muted">Shared through a folder above this one.</p> : ""}
      {shown.length === 0 ? <p class="muted">Not shared with any friend.</p> : (
        <ul class="items">
          {shown.map((e) => (
            <li>
              <span class="name">
                {e.principal.startsWith("group:") ? `Group ${e.who}` : e.who}
              </span>
              <span class="meta">{e.access === "write" ? "can edit" : "can view"}</span>
              {inherited ? "" : (
                <form method="post" action={`/friends/share/${itemId}/remove`} class="inline">
                  <input type="hidden" name="principal" value={e.principal} />
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="danger small" aria-label={`Stop sharing with ${e.who}`}>
                    Stop sharing
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {friends.length + groups.length === 0
        ? (
          <p class="muted">
            Add friends on the <a href="/friends">Friends</a> page to share with them.
          </p>
        )
        : (
          <form method="post" action={`/friends/share/${itemId}`} class="row">
            <input type="hidden" name="back" value={back} />
            <select name="principal" aria-label="Share with">
              {friends.map((f) => <option key={f} value={`user:${f}`}>{f}</option>)}
              {groups.map((g) => <option key={g} value={`group:${g}`}>Group {g}</option>)}
            </select>
            <select name="access" aria-label="Access">
              <option value="read">can view</option>
              <option value="write">can edit</option>
            </select>
            <button type="submit" class="small">Share</button>
          </form>
        )}
    </section>
  );
}

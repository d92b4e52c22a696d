/**
 * A friend in a browser on this server: they signed in through IdCloud with their own account,
 * and IdCloud named the Hearth servers that account owns; one of them being a friend here makes
 * them a `friend` viewer. They see exactly what is shared with them (`/f/`), open folders and
 * files, and download — every item through the one access check, 404 for anything else.
 */
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { ShellContext, ShellEnv } from "../plugins/mod.ts";
import { fileResponse, type VisitorBytes } from "../files/mod.ts";
import { GuestFrame } from "../links/guest_views.tsx";
import { formatBytes } from "../web/format.ts";
import { Time } from "../web/time.tsx";
import { friendAccess, type PeerItem, sharedWith } from "./shared_items.ts";
import { describe } from "./shared_items.ts";

function friendOf(c: ShellContext): string {
  const v = c.get("viewer");
  if (v.kind !== "friend") throw new Error("the friend pages admit friends only");
  return v.name;
}

function Rows({ items }: { items: PeerItem[] }) {
  return (
    <ul class="g-list" aria-label="Shared items">
      {items.map((i) => (
        <li key={i.id}>
          <span aria-hidden="true">{i.kind === "folder" ? "📁" : "📄"}</span>
          <span></span>
          <span class="name">
            <a href={`/f/${i.id}`}>{i.name}</a>
          </span>
          <span class="meta">{i.kind === "folder" ? "Folder" : formatBytes(i.size)}</span>
          <span class="meta when">
            <Time ms={i.mtime} />
          </span>
        </li>
      ))}
    </ul>
  );
}

export function friendPages(core: Core, bytesFor: VisitorBytes): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  const owner = () => core.config.current.name;

  app.get("/f/", (c) => {
    const friend = friendOf(c);
    const items = sharedWith(core, friend);
    return c.html(
      <GuestFrame title={`Shared with ${friend}`}>
        <div class="g-head">
          <h1>{owner()} shares with you, {friend}</h1>
        </div>
        {items.length === 0
          ? <p class="muted">Nothing is shared with you here (yet).</p>
          : <Rows items={items} />}
      </GuestFrame>,
    );
  });

  app.get("/f/:id", async (c) => {
    const friend = friendOf(c);
    const reach = friendAccess(core, friend, c.req.param("id"));
    if (!reach) return c.notFound();
    const item = describe(reach.item, reach.access);
    const children = reach.item.kind === "folder"
      ? (await core.store.items.children(reach.item.id)).flatMap((child) => {
        const sub = friendAccess(core, friend, child.id);
        return sub ? [describe(sub.item, sub.access)] : [];
      })
      : [];
    return c.html(
      <GuestFrame title={item.name}>
        <nav class="crumbs" aria-label="Where">
          <a href="/f/">Shared with you</a> / <span>{item.name}</span>
        </nav>
        <div class="g-head">
          <h1>{item.name}</h1>
          {item.kind === "file"
            ? (
              <a class="button" href={`/f/${item.id}/content?download=1`}>
                Download ({formatBytes(item.size)})
              </a>
            )
            : ""}
        </div>
        {item.kind === "folder"
          ? (children.length ? <Rows items={children} /> : <p class="muted">This folder is empty.</p>)
          : (
            <div class="g-view">
              {item.type.startsWith("image/") ? <img src={`/f/${item.id}/content`} alt={item.name} /> : ""}
              <p class="muted">{item.type}</p>
            </div>
          )}
      </GuestFrame>,
    );
  });

  app.get("/f/:id/content", async (c) => {
    const reach = friendAccess(core, friendOf(c), c.req.param("id"));
    if (!reach || reach.item.kind !== "file" || !reach.item.blobHash) return c.notFound();
    return fileResponse(reach.item, {
      download: c.req.query("download") !== undefined,
      ...await bytesFor(reach.item),
      ifNoneMatch: c.req.header("if-none-match"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
  });
  return app;
}

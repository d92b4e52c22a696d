/** Folders (pages, the listing fragment) and file previews under `/browse`, and the text editor. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Granted } from "../permissions/mod.ts";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import type { FilesDeps } from "./_deps.ts";
import { form, inTrash, isOwner, page, takeNotice } from "./_http.tsx";
import { listQueryString, parseListQuery } from "./listing.ts";
import { MAX_TEXT_PREVIEW, previewKind } from "./preview.ts";
import { thumbnailable } from "./thumbs.ts";
import { EditPage, folderHref, FolderPage, Listing, PreviewPage } from "./views.tsx";

export function browseRoutes(
  { core: ctx, ops, queries, editDir, typeOf, itemSections }: FilesDeps,
): ShellApp {
  const app = new Hono<ShellEnv>();
  /** A folder's page of items and what the view shows beside them; `chain` comes from the access check. */
  const folderData = async (c: Context<ShellEnv>, { item: folder, ancestry: chain }: Granted) => {
    const listing = queries.list(folder.id, parseListQuery(c.req.query()));
    const notice = takeNotice(c);
    if (!isOwner(c)) {
      listing.items = listing.items.filter((item) => ctx.permissions.can(c.get("viewer"), item.id, "read"));
    }
    const ids = listing.items.map((i) => i.id);
    const favorites = queries.favoriteIds(ids);
    const [sizes, usage] = await Promise.all([
      ops.folderSizes(listing.items.filter((i) => i.kind === "folder").map((i) => i.id)),
      ops.usage(),
    ]);
    return {
      chain,
      listing,
      sizes,
      favorites,
      usage,
      typeOf,
      canThumb: thumbnailable(typeOf),
      ...notice,
    };
  };

  const show = async (c: Context<ShellEnv>, id: string) => {
    const granted = requireAccess(ctx, c, id, "read");
    const { item, ancestry: chain } = granted;
    if (inTrash(granted)) throw new HTTPException(404, { message: "This item is in the trash" });
    if (item.kind === "folder") {
      const data = await folderData(c, granted);
      return page(c, item.id === ROOT_ID ? "Browse" : item.name, <FolderPage {...data} />);
    }
    const preview = typeOf(item).preview;
    if (preview) {
      await ops.touchRecent(item.id);
      return page(c, item.name, <section class="card">{preview(item)}</section>);
    }
    let kind = previewKind(item);
    let text: string | undefined;
    let truncated = false;
    if (kind === "text" && item.blobHash) {
      const file = Bun.file(ctx.store.blobs.pathOf(item.blobHash));
      truncated = item.size > MAX_TEXT_PREVIEW;
      const bytes = new Uint8Array(await file.slice(0, MAX_TEXT_PREVIEW).arrayBuffer());
      try {
        text = new TextDecoder("utf-8", { fatal: !truncated }).decode(bytes);
      } catch {
        kind = item.type.startsWith("image/") ? "image" : "none";
      }
    }
    await ops.touchRecent(item.id);
    const favorite = (await ops.favoriteIds([item.id])).has(item.id);
    return page(
      c,
      item.name,
      <PreviewPage
        chain={chain}
        item={item}
        kind={kind}
        text={text}
        truncated={truncated}
        favorite={favorite}
        {...takeNotice(c)}
        extra={await itemSections?.(c, item)}
      />,
    );
  };

  app.get("/browse", (c) => show(c, ROOT_ID));
  app.get("/browse/:id", (c) => show(c, c.req.param("id")));
  app.get("/browse/:id/listing", async (c) => {
    const granted = requireAccess(ctx, c, c.req.param("id"), "read");
    if (granted.item.kind !== "folder" || inTrash(granted)) {
      throw new HTTPException(404, { message: "Not a folder" });
    }
    c.header("cache-control", "no-store");
    const data = await folderData(c, granted);
    // htmx (the filter form) shows the folder's own address for what is listed.
    c.header("HX-Replace-Url", folderHref(granted.item.id) + listQueryString(data.listing.query));
    return c.html(<Listing {...data} />);
  });

  app.get("/browse/:id/edit", async (c) => {
    const { item, ancestry } = requireAccess(ctx, c, c.req.param("id"), "write");
    if (
      item.kind !== "file" || !item.blobHash || previewKind(item) !== "text" ||
      item.size > MAX_TEXT_PREVIEW
    ) {
      throw new HTTPException(400, { message: "Only text files up to 2 MB can be edited here" });
    }
    const text = await Bun.file(ctx.store.blobs.pathOf(item.blobHash)).text();
    return page(
      c,
      `Edit ${item.name}`,
      <EditPage
        chain={ancestry}
        item={item}
        text={text}
        error={takeNotice(c).error}
      />,
    );
  });

  app.post("/browse/:id/edit", async (c) => {
    const { item } = requireAccess(ctx, c, c.req.param("id"), "write");
    if (item.kind !== "file" || previewKind(item) !== "text") {
      throw new HTTPException(400, { message: "Only text files can be edited here" });
    }
    const f = await form(c);
    const content = String(f.content ?? "");
    const action = String(f.action ?? "save");
    const bytes = new TextEncoder().encode(content);
    if (bytes.length > MAX_TEXT_PREVIEW) {
      throw new HTTPException(413, { message: "Text is larger than 2 MB" });
    }
    // Someone saved since this editor opened: keep the user's text and show both (never lose an edit).
    if (action === "save" && String(f.base ?? "") !== item.blobHash) {
      const theirs = await Bun.file(ctx.store.blobs.pathOf(item.blobHash!)).text();
      const { ancestry } = requireAccess(ctx, c, item.id, "write");
      return page(
        c,
        `Edit ${item.name}`,
        <EditPage chain={ancestry} item={item} text={content} conflict={{ theirs }} />,
        409,
      );
    }
    const name = action === "copy" ? await ops.freeName(item.parentId!, item.name, "copy") : item.name;
    const tmp = join(editDir, `${randomToken(12)}.part`);
    let saved: Item;
    try {
      writeFileSync(tmp, bytes);
      saved =
        (await ctx.store.importFile(item.parentId!, name, tmp, { mtime: Date.now(), type: item.type })).item;
    } finally {
      rmSync(tmp, { force: true });
    }
    await ops.touchRecent(saved.id);
    return c.redirect(`/browse/${saved.id}`, 303);
  });
  return app;
}

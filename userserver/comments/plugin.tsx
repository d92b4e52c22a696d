/**
 * Comments, a plugin: threads on any file or folder, keyed by content. The owner comments,
 * replies, edits (history kept), deletes (shown as removed) and resolves, on each item's page
 * (`thread`, shown by Browse) and over `/api/comments`. A link's visitors comment when the link
 * allows it, with a name they type, at most 10 comments per address per 10 minutes (`post`, called
 * by the links plugin's pages). A visitor's comment notifies the owner (the bell).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { jsonBody } from "../../shared/web/json_body.ts";
import { FailureWindow } from "../../shared/failure_window.ts";
import type { Core } from "../core/mod.ts";
import type { Viewer } from "../permissions/mod.ts";
import { type Plugin, requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import type { Item } from "../store/mod.ts";
import { clientAddress } from "../web/client_address.ts";
import { redirectWith, safeBack } from "../files/_http.tsx";
import { renderMarkdown } from "./markdown.ts";
import { type Comment, CommentError, Comments } from "./store.ts";
import { Thread } from "./views.tsx";

type C = Context<ShellEnv>;

export interface CommentsModule {
  plugin: Plugin;
  store: Comments;
  /** The thread section of `item` for this viewer; forms post under `post`. */
  thread(c: C, viewer: Viewer, item: Item, post: string, back: string): Promise<Child>;
  /** A new comment or reply from a form (the owner, or a link visitor the link lets comment). */
  post(c: C, viewer: Viewer, item: Item): Promise<Response>;
}

export const GUEST_COMMENTS = { limit: 10, windowMs: 10 * 60_000 };

export function createComments(core: Core): CommentsModule {
  const store = new Comments(core.db);
  const guestPosts = new FailureWindow(GUEST_COMMENTS.limit, GUEST_COMMENTS.windowMs);

  const mayWrite = (v: Viewer) => v.kind === "owner" || (v.kind === "linkGuest" && v.mayComment);

  const announce = async (comment: Comment, item: Item, viewer: Viewer) => {
    const excerpt = comment.content.slice(0, 140);
    void core.signals.emit("comment.created", {
      commentId: comment.id,
      itemId: item.id,
      author: comment.author,
      excerpt,
      ...(viewer.kind === "linkGuest" ? { linkId: viewer.linkId } : {}),
    });
    if (viewer.kind === "linkGuest") {
      await core.notifications.create({
        kind: "comment",
        title: `${comment.author} commented on ${item.name} (link “${viewer.label}”)`,
        body: excerpt,
        link: `/browse/${item.id}`,
      });
    }
  };

  /** An edit or a removal: the items showing the thread are indexed again (search). */
  const changed = async (comment: Comment) => {
    void core.signals.emit("comment.changed", {
      commentId: comment.id,
      itemIds: await store.itemIdsOf(comment),
    });
  };
  const removeAndTell = async (id: string): Promise<boolean> => {
    const comment = await store.get(id);
    if (!comment || !(await store.remove(id))) return false;
    await changed(comment);
    return true;
  };

  const post = async (c: C, viewer: Viewer, item: Item): Promise<Response> => {
    const form = await c.req.parseBody();
    const back = safeBack(form.back, viewer.kind === "owner" ? `/browse/${item.id}` : "/");
    if (!mayWrite(viewer)) return c.text("Comments are not open here", 403);
    const address = clientAddress(c, core.sources);
    if (viewer.kind !== "owner") {
      const until = guestPosts.blockedUntil(address, Date.now());
      if (until !== undefined) {
        return c.text(
          `Too many comments from your network; try again in ${
            Math.ceil((until - Date.now()) / 60_000)
          } minutes`,
          429,
        );
      }
    }
    try {
      const comment = await store.create({
        item,
        content: String(form.content ?? ""),
        author: viewer.kind === "owner" ? viewer.name : String(form.name ?? ""),
        authorKind: viewer.kind === "owner" ? "owner" : "guest",
        linkId: viewer.kind === "linkGuest" ? viewer.linkId : undefined,
        ip: address,
        parentId: typeof form.parentId === "string" && form.parentId ? form.parentId : undefined,
        visibility: form.private === "1" ? "private" : "public",
      });
      if (viewer.kind !== "owner") guestPosts.record(address, Date.now());
      await announce(comment, item, viewer);
      return viewer.kind === "owner" ? redirectWith(c, back, { ok: "Comment added" }) : c.redirect(back, 303);
    } catch (e) {
      if (!(e instanceof CommentError)) throw e;
      return viewer.kind === "owner" ? redirectWith(c, back, { error: e.message }) : c.text(e.message, 400);
    }
  };

  const thread = async (_c: C, viewer: Viewer, item: Item, postTo: string, back: string) => (
    <Thread
      comments={await store.list(item)}
      post={postTo}
      back={back}
      owner={viewer.kind === "owner"}
      mayWrite={mayWrite(viewer)}
    />
  );

  const json = (c: Comment) => ({
    ...c,
    html: c.visibility === "removed" ? "" : renderMarkdown(c.content),
    ip: undefined,
  });

  const app = (): ShellApp => {
    const a = new Hono<ShellEnv>();
    const commentOf = async (c: C) => {
      const comment = await store.get(c.req.param("id")!);
      if (!comment) return undefined;
      return comment;
    };
    // Forms on an item's page.
    a.post(
      "/comments/:item",
      (c) => post(c, c.get("viewer"), requireAccess(core, c, c.req.param("item"), "read").item),
    );
    a.post("/comments/:item/c/:id/edit", async (c) => {
      const item = requireAccess(core, c, c.req.param("item"), "read").item;
      const form = await c.req.parseBody();
      const back = safeBack(form.back, `/browse/${item.id}`);
      try {
        await changed(await store.edit(c.req.param("id"), String(form.content ?? "")));
        return redirectWith(c, back, { ok: "Comment saved" });
      } catch (e) {
        if (e instanceof CommentError) return redirectWith(c, back, { error: e.message });
        throw e;
      }
    });
    a.post("/comments/:item/c/:id/delete", async (c) => {
      const form = await c.req.parseBody();
      await removeAndTell(c.req.param("id"));
      return redirectWith(c, safeBack(form.back, `/browse/${c.req.param("item")}`), {
        ok: "Comment removed",
      });
    });
    a.post("/comments/:item/c/:id/resolve", async (c) => {
      const form = await c.req.parseBody();
      const comment = await commentOf(c);
      if (comment) await store.resolve(comment.threadId, form.resolved === "1");
      return redirectWith(c, safeBack(form.back, `/browse/${c.req.param("item")}`));
    });
    // The JSON API.
    a.get("/api/comments", async (c) => {
      const item = requireAccess(core, c, c.req.query("item") ?? "", "read").item;
      return c.json({ comments: (await store.list(item)).map(json) });
    });
    a.post(
      "/api/comments",
      jsonBody(
        z.object({
          item: z.string(),
          content: z.string(),
          parentId: z.string().optional(),
          visibility: z.enum(["public", "private"]).optional(),
        }).strict(),
      ),
      async (c) => {
        const body = c.req.valid("json");
        const item = requireAccess(core, c, body.item, "read").item;
        const viewer = c.get("viewer");
        try {
          const comment = await store.create({
            item,
            content: body.content,
            author: viewer.kind === "owner" ? viewer.name : "device",
            authorKind: "owner",
            ip: clientAddress(c, core.sources),
            parentId: body.parentId,
            visibility: body.visibility,
          });
          await announce(comment, item, viewer);
          return c.json({ comment: json(comment) }, 201);
        } catch (e) {
          if (e instanceof CommentError) return c.json({ error: e.message }, 400);
          throw e;
        }
      },
    );
    a.patch("/api/comments/:id", jsonBody(z.object({ content: z.string() }).strict()), async (c) => {
      try {
        const comment = await store.edit(c.req.param("id"), c.req.valid("json").content);
        await changed(comment);
        return c.json({ comment: json(comment) });
      } catch (e) {
        if (e instanceof CommentError) return c.json({ error: e.message }, 404);
        throw e;
      }
    });
    a.get(
      "/api/comments/:id/history",
      async (c) => c.json({ history: await store.history(c.req.param("id")) }),
    );
    a.delete(
      "/api/comments/:id",
      async (c) =>
        (await removeAndTell(c.req.param("id")))
          ? c.body(null, 204)
          : c.json({ error: "No such comment" }, 404),
    );
    a.post("/api/comments/:id/resolve", jsonBody(z.object({ resolved: z.boolean() }).strict()), async (c) => {
      const comment = await commentOf(c);
      if (!comment) return c.json({ error: "No such comment" }, 404);
      await store.resolve(comment.threadId, c.req.valid("json").resolved);
      return c.body(null, 204);
    });
    return a;
  };

  return {
    store,
    thread,
    post,
    plugin: { id: "comments", activityKinds: [{ id: "comment", label: "Comments", icon: "file" }], app },
  };
}

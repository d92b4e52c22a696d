/**
 * The comments table: threads keyed by an item's content hash (a folder's by its id), replies,
 * edits (the earlier text kept in `comment_revisions`), removal (the row stays, its text is
 * shown as removed) and resolve/reopen per thread.
 */
import { and, asc, eq, ne } from "drizzle-orm";
import { commentRevisions, comments, items } from "../../shared/db/userserver/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { UserDb } from "../database/mod.ts";
import type { Item } from "../store/mod.ts";
import { MAX_COMMENT } from "./markdown.ts";

export type Comment = typeof comments.$inferSelect;
export const MAX_NAME = 60;

export class CommentError extends Error {
  override name = "CommentError";
}

/** What comments of `item` are keyed by: its content, so a copy shows the same threads. */
export function itemKey(item: Item): string {
  return item.kind === "file" && item.blobHash ? `blob:${item.blobHash}` : `item:${item.id}`;
}

export interface NewComment {
  item: Item;
  content: string;
  author: string;
  authorKind: "owner" | "guest";
  linkId?: string;
  ip: string;
  /** A reply to this comment (its thread is the reply's thread). */
  parentId?: string;
  /** Private: a note only the owner sees (never shown to link visitors, nor in their API). */
  visibility?: "public" | "private";
}

function checkText(content: string): string {
  const text = content.trim();
  if (!text) throw new CommentError("Write something first");
  if (text.length > MAX_COMMENT) throw new CommentError(`A comment has at most ${MAX_COMMENT} characters`);
  return text;
}

export class Comments {
  constructor(private readonly db: UserDb, private readonly now: () => number = Date.now) {}

  /** Every comment on `item`, oldest first (removed ones too, for their place in the thread). */
  async list(item: Item): Promise<Comment[]> {
    return await this.db.orm.select().from(comments).where(eq(comments.itemKey, itemKey(item)))
      .orderBy(asc(comments.createdAt), asc(comments.id)).all();
  }

  /**
   * What the search index keeps of `item`'s comments: the text of each one not removed, private
   * notes too (only the owner's searches read this; see userserver/search/searcher.ts).
   */
  async searchText(item: Item): Promise<string> {
    const rows = await this.db.orm.select({ content: comments.content }).from(comments)
      .where(and(eq(comments.itemKey, itemKey(item)), ne(comments.visibility, "removed")))
      .orderBy(asc(comments.createdAt), asc(comments.id)).all();
    return rows.map((r) => r.content).join("\n");
  }

  /** The items that show this comment's thread: every copy of a file's content, or the one folder. */
  async itemIdsOf(comment: Comment): Promise<string[]> {
    const at = comment.itemKey.indexOf(":");
    const value = comment.itemKey.slice(at + 1);
    const rows = await this.db.orm.select({ id: items.id }).from(items)
      .where(comment.itemKey.slice(0, at) === "blob" ? eq(items.blobHash, value) : eq(items.id, value)).all();
    return rows.map((r) => r.id);
  }

  async get(id: string): Promise<Comment | undefined> {
    return await this.db.orm.select().from(comments).where(eq(comments.id, id)).get();
  }

  async create(c: NewComment): Promise<Comment> {
    const content = checkText(c.content);
    const author = c.author.trim().slice(0, MAX_NAME);
    if (!author) throw new CommentError("Give your name");
    const key = itemKey(c.item);
    let threadId: string | undefined;
    // Only the owner writes private notes; a visitor's comment is public.
    let visibility: "public" | "private" = c.authorKind === "owner" ? c.visibility ?? "public" : "public";
    if (c.parentId) {
      const parent = await this.get(c.parentId);
      // A visitor never learns of a private thread, so cannot answer one.
      const hidden = parent?.visibility === "private" && c.authorKind === "guest";
      if (!parent || parent.itemKey !== key || hidden) {
        throw new CommentError("The comment you answer is not here");
      }
      threadId = parent.threadId;
      // An answer in a private thread stays as private as the thread.
      if (parent.visibility === "private") visibility = "private";
    }
    const id = randomToken(12);
    const row: Comment = {
      id,
      itemKey: key,
      threadId: threadId ?? id,
      parentId: c.parentId ?? null,
      author,
      authorKind: c.authorKind,
      linkId: c.linkId ?? null,
      content,
      ip: c.ip,
      visibility,
      resolved: false,
      createdAt: this.now(),
      editedAt: null,
    };
    await this.db.write(() => this.db.orm.insert(comments).values(row));
    return row;
  }

  /** Changes the text; the earlier text is kept in the history. */
  async edit(id: string, content: string): Promise<Comment> {
    const text = checkText(content);
    const old = await this.get(id);
    if (!old || old.visibility === "removed") throw new CommentError("No such comment");
    const t = this.now();
    await this.db.write(() =>
      this.db.orm.batch([
        this.db.orm.insert(commentRevisions).values({ commentId: id, content: old.content, replacedAt: t }),
        this.db.orm.update(comments).set({ content: text, editedAt: t }).where(eq(comments.id, id)),
      ])
    );
    return { ...old, content: text, editedAt: t };
  }

  async history(id: string): Promise<{ content: string; replacedAt: number }[]> {
    return await this.db.orm.select({
      content: commentRevisions.content,
      replacedAt: commentRevisions.replacedAt,
    })
      .from(commentRevisions).where(eq(commentRevisions.commentId, id)).orderBy(
        asc(commentRevisions.replacedAt),
      )
      .all();
  }

  /** Marks a comment removed: it stays in its thread as "removed", its text is no longer shown. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.db.write(() =>
      this.db.orm.update(comments).set({ visibility: "removed" }).where(eq(comments.id, id)).returning({
        id: comments.id,
      })
    );
    return rows.length > 0;
  }

  /** Resolves or reopens a whole thread. */
  async resolve(threadId: string, resolved: boolean): Promise<void> {
    await this.db.write(() =>
      this.db.orm.update(comments).set({ resolved }).where(and(eq(comments.threadId, threadId)))
    );
  }
}

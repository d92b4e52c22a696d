/** A comment thread section: the owner's (reply, edit, delete, resolve) and a link visitor's (name + text). */
import { raw } from "hono/html";
import { Time } from "../web/time.tsx";
import { renderMarkdown } from "./markdown.ts";
import { type Comment, MAX_NAME } from "./store.ts";

export interface ThreadProps {
  comments: Comment[];
  /** Where the forms post: `${post}` new/reply, `${post}/c/<id>/edit|delete|resolve` (owner only). */
  post: string;
  back: string;
  owner: boolean;
  /** Whether this viewer may write (the owner; a visitor when the link allows comments). */
  mayWrite: boolean;
}

function Body({ c }: { c: Comment }) {
  if (c.visibility === "removed") {
    return (
      <p class="muted">
        <em>This comment was removed.</em>
      </p>
    );
  }
  return <div class="cm-text">{raw(renderMarkdown(c.content))}</div>;
}

function NewForm(
  { post, back, owner, parentId, label }: {
    post: string;
    back: string;
    owner: boolean;
    parentId?: string;
    label: string;
  },
) {
  const id = `cm-${parentId ?? "new"}`;
  return (
    <form method="post" action={post} class="cm-form">
      <input type="hidden" name="back" value={back} />
      {parentId ? <input type="hidden" name="parentId" value={parentId} /> : ""}
      {owner ? "" : (
        <>
          <label for={`${id}-name`}>Your name</label>
          <input id={`${id}-name`} name="name" required maxlength={MAX_NAME} autocomplete="name" />
        </>
      )}
      <label for={`${id}-text`}>{label}</label>
      <textarea id={`${id}-text`} name="content" required rows={3} maxlength={10000}></textarea>
      {owner && !parentId
        ? (
          <label class="check">
            <input type="checkbox" name="private" value="1" />{" "}
            Private note — only you see it, never a link's visitors
          </label>
        )
        : ""}
      <button type="submit" class="small">{parentId ? "Reply" : "Comment"}</button>
    </form>
  );
}

export function Thread({ comments, post, back, owner, mayWrite }: ThreadProps) {
  const visible = owner ? comments : comments.filter((c) => c.visibility !== "private");
  const threads = visible.filter((c) => c.parentId === null);
  return (
    <section class="card cm-section" aria-labelledby="cm-title">
      <h2 id="cm-title">Comments</h2>
      {threads.length === 0 ? <p class="muted">No comments yet.</p> : ""}
      {threads.map((t) => {
        const entries = visible.filter((c) => c.threadId === t.id);
        return (
          <article class={`cm-thread${t.resolved ? " resolved" : ""}`} data-thread={t.id}>
            {t.resolved ? <p class="badge">Resolved</p> : ""}
            {t.visibility === "private" ? <p class="badge">Private — only you see this thread</p> : ""}
            <ol class="cm-list">
              {entries.map((c) => (
                <li class={c.parentId ? "cm-reply" : ""} data-comment={c.id}>
                  <p class="cm-meta">
                    <strong>{c.author}</strong>
                    {c.authorKind === "guest" ? <span class="muted">(visitor)</span> : ""} ·{" "}
                    <Time ms={c.createdAt} />
                    {c.editedAt ? <span class="muted">· edited</span> : ""}
                  </p>
                  <Body c={c} />
                  {owner && c.visibility !== "removed"
                    ? (
                      <div class="cm-actions">
                        <details>
                          <summary>Edit</summary>
                          <form method="post" action={`${post}/c/${c.id}/edit`}>
                            <input type="hidden" name="back" value={back} />
                            <label for={`cm-edit-${c.id}`}>Text</label>
                            <textarea id={`cm-edit-${c.id}`} name="content" required rows={3}>
                              {c.content}
                            </textarea>
                            <button type="submit" class="small">Save</button>
                          </form>
                        </details>
                        <form method="post" action={`${post}/c/${c.id}/delete`}>
                          <input type="hidden" name="back" value={back} />
                          <button type="submit" class="danger small">Delete</button>
                        </form>
                      </div>
                    )
                    : ""}
                </li>
              ))}
            </ol>
            {mayWrite && !t.resolved
              ? (
                <details>
                  <summary>Reply</summary>
                  <NewForm post={post} back={back} owner={owner} parentId={t.id} label="Reply" />
                </details>
              )
              : ""}
            {owner
              ? (
                <form method="post" action={`${post}/c/${t.id}/resolve`}>
                  <input type="hidden" name="back" value={back} />
                  <input type="hidden" name="resolved" value={t.resolved ? "0" : "1"} />
                  <button type="submit" class="secondary small">{t.resolved ? "Reopen" : "Resolve"}</button>
                </form>
              )
              : ""}
          </article>
        );
      })}
      {mayWrite ? <NewForm post={post} back={back} owner={owner} label="New comment" /> : ""}
    </section>
  );
}

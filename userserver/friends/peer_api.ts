/**
 * The server-to-server API another Hearth server calls (`/api/peer/v1/…`), every request signed
 * (door.ts). A server not yet a friend may only ask for a CAPTCHA, answer it, and learn where the
 * relation stands; a friend (accepted, or subscribed to this server) reads what is shared with it.
 * Answers are JSON; what a caller may not see is 404.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Core } from "../core/mod.ts";
import type { ShellEnv } from "../plugins/mod.ts";
import { FileOpError, fileResponse, type Thumbnailer, type VisitorBytes } from "../files/mod.ts";
import { ItemConflictError } from "../store/mod.ts";
import { ItemNameError } from "../store/names.ts";
import { PeerUploadError, type PeerUploads } from "./peer_uploads.ts";
import { jsonBody } from "../../shared/web/json_body.ts";
import type { Captchas } from "./captcha.ts";
import type { PeerDirectory } from "./directory.ts";
import { PEER_API, signedBy } from "./door.ts";
import { mirrored, type Relations } from "./relations.ts";
import { describe, friendAccess, sharedWith } from "./shared_items.ts";

export interface PeerApiDeps {
  core: Core;
  relations: Relations;
  captchas: Captchas;
  directory: PeerDirectory;
  thumbs: Thumbnailer;
  uploads: PeerUploads;
  /** What a friend is sent for a file. */
  bytesFor: VisitorBytes;
}

const requestBody = z.strictObject({
  challengeId: z.string().min(1).max(64),
  answer: z.string().max(32),
  note: z.string().max(500).default(""),
});
const statementBody = z.strictObject({ state: z.enum(["accepted", "rejected", "subscribed", "ended"]) });
const uploadBody = z.strictObject({
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
const renameBody = z.strictObject({ name: z.string().min(1).max(255) });

export function peerApi(d: PeerApiDeps): Hono<ShellEnv> {
  const app = new Hono<ShellEnv>();
  const { relations, captchas } = d;
  const notify = (title: string, body?: string) =>
    d.core.notifications.create({ kind: "friends", title, body, link: "/friends" });

  // Where the relation stands, as the caller sees it (also the share task's ping).
  app.get(`${PEER_API}/hello`, async (c) => {
    const from = signedBy(c);
    if (!from) return c.json({ error: "Not found" }, 404);
    const r = await relations.get(from);
    return c.json({ name: d.core.config.current.name, state: r ? mirrored(r.state) : "none" });
  });

  app.post(`${PEER_API}/friend-requests/challenge`, async (c) => {
    const from = signedBy(c);
    if (!from) return c.json({ error: "Not found" }, 404);
    const refusal = await refusalFor(from);
    if (refusal) return c.json({ error: refusal.error, state: refusal.state }, 409);
    const wait = captchas.retryAfterS(from);
    if (wait > 0) return tooMany(c, wait);
    const challenge = captchas.issue(from);
    return c.json({ challenge });
  });

  app.post(`${PEER_API}/friend-requests`, signedOnly, jsonBody(requestBody), async (c) => {
    const from = signedBy(c);
    if (!from) return c.json({ error: "Not found" }, 404);
    const refusal = await refusalFor(from);
    if (refusal) return c.json({ error: refusal.error, state: refusal.state }, 409);
    const { challengeId, answer, note } = c.req.valid("json");
    const result = captchas.answer(from, challengeId, answer);
    if (!result.ok) {
      if (result.reason === "throttled") return tooMany(c, result.retryAfterS);
      return c.json({
        error: result.reason === "wrong"
          ? "That answer was wrong. Here is a new one."
          : "That challenge expired. Here is a new one.",
        challenge: result.next,
      }, 400);
    }
    const key = (await d.directory.lookUp(from)).publicKeyJwk;
    await relations.put(from, "incoming", key, note);
    await notify(`${from} asks to be your friend`, note || undefined);
    return c.json({ state: "outgoing" }, 201);
  });

  // The caller tells how it answered (accept, reject, subscribe) or that it ended the relation.
  app.post(`${PEER_API}/friendship`, signedOnly, jsonBody(statementBody), async (c) => {
    const from = signedBy(c);
    if (!from) return c.json({ error: "Not found" }, 404);
    const r = await relations.get(from);
    if (!r) return c.json({ state: "none" });
    const { state } = c.req.valid("json");
    if (state === "ended") {
      await relations.remove(from);
      if (r.state === "incoming") await notify(`${from} withdrew their friend request`);
      else if (r.state !== "rejected") await notify(`${from} ended your friendship`);
      return c.json({ state: "none" });
    }
    // An answer counts only to a request this server made.
    if (r.state !== "outgoing") {
      return c.json({ error: "There is no request of ours to answer", state: mirrored(r.state) }, 409);
    }
    if (state === "accepted") {
      await relations.setState(from, "accepted");
      await notify(`${from} accepted your friend request`);
    } else if (state === "subscribed") {
      await relations.setState(from, "subscriber");
      await notify(
        `${from} subscribed to what you share with them`,
        "They can read what you share with them; you cannot read theirs.",
      );
    } else {
      await relations.setState(from, "rejected", "them");
      await notify(`${from} declined your friend request`);
    }
    return c.json({ state: mirrored((await relations.get(from))!.state) });
  });

  // What is shared with the caller (friend viewers only: the plugin's door admits no one else).
  app.get(`${PEER_API}/shared`, (c) => {
    const friend = friendName(c);
    return c.json({ items: sharedWith(d.core, friend) });
  });

  app.get(`${PEER_API}/items/:id`, async (c) => {
    const friend = friendName(c);
    const reach = friendAccess(d.core, friend, c.req.param("id"));
    if (!reach) return c.json({ error: "Not found" }, 404);
    const item = describe(reach.item, reach.access);
    if (reach.item.kind !== "folder") return c.json({ item });
    const children = [];
    for (const child of await d.core.store.items.children(reach.item.id)) {
      const sub = friendAccess(d.core, friend, child.id);
      if (sub) children.push(describe(sub.item, sub.access));
    }
    return c.json({ item, children });
  });

  app.get(`${PEER_API}/items/:id/content`, async (c) => {
    const reach = friendAccess(d.core, friendName(c), c.req.param("id"));
    if (!reach || reach.item.kind !== "file" || !reach.item.blobHash) {
      return c.json({ error: "Not found" }, 404);
    }
    return fileResponse(reach.item, {
      download: true,
      ...await d.bytesFor(reach.item),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
  });

  app.get(`${PEER_API}/items/:id/thumb`, async (c) => {
    const reach = friendAccess(d.core, friendName(c), c.req.param("id"));
    if (!reach?.item.blobHash) return c.json({ error: "Not found" }, 404);
    const path = await d.thumbs.get(reach.item.blobHash, d.core.store.blobs.pathOf(reach.item.blobHash));
    if (!path) return c.json({ error: "No thumbnail" }, 404);
    return new Response(Bun.file(path), {
      headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600" },
    });
  });

  // A friend with write access: a file into a shared folder (in chunks), or a new name.
  app.post(`${PEER_API}/items/:id/uploads`, jsonBody(uploadBody), (c) => {
    const friend = friendName(c);
    const reach = friendAccess(d.core, friend, c.req.param("id"));
    if (!reach || reach.item.kind !== "folder" || reach.access !== "write") {
      return c.json({ error: "Not found" }, 404);
    }
    return peerAnswer(c, () => d.uploads.begin(friend, reach.item.id, c.req.valid("json")));
  });
  app.post(`${PEER_API}/uploads/:upload`, async (c) => {
    const friend = friendName(c);
    const offset = Number(c.req.header("upload-offset"));
    if (!Number.isSafeInteger(offset) || offset < 0) {
      return c.json({ error: "Upload-Offset is missing" }, 400);
    }
    const chunk = new Uint8Array(await c.req.arrayBuffer());
    return await peerAnswerAsync(c, async () => {
      // Write access is checked again for every chunk: a share revoked mid-transfer stops it.
      const pending = d.uploads.get(friend, c.req.param("upload"));
      if (friendAccess(d.core, friend, pending.folderId)?.access !== "write") {
        throw new PeerUploadError("No such upload", 404);
      }
      return await d.uploads.append(friend, pending.id, offset, chunk);
    });
  });
  app.post(`${PEER_API}/items/:id/rename`, jsonBody(renameBody), async (c) => {
    const reach = friendAccess(d.core, friendName(c), c.req.param("id"));
    if (!reach || reach.access !== "write") return c.json({ error: "Not found" }, 404);
    return await peerAnswerAsync(c, async () => {
      await d.uploads.rename(reach.item.id, c.req.valid("json").name);
      return { ok: true };
    });
  });

  /** Why a friend request from `from` is not taken now, or undefined. */
  async function refusalFor(from: string) {
    const r = await relations.get(from);
    if (!r || (r.state === "rejected" && r.rejectedBy === "them") || r.state === "outgoing") return undefined;
    if (r.state === "rejected") {
      return { error: `${d.core.config.current.name} declined your request`, state: "rejected" };
    }
    return { error: "You are already connected", state: mirrored(r.state) };
  }
  return app;
}

/** A JSON answer, or the sentence a bad request deserves (never a 500 for a friend's mistake). */
function peerAnswer(c: Context, fn: () => unknown): Response {
  try {
    return c.json(fn() as object);
  } catch (e) {
    return refusal(c, e);
  }
}
async function peerAnswerAsync(c: Context, fn: () => Promise<unknown>): Promise<Response> {
  try {
    return c.json(await fn() as object);
  } catch (e) {
    return refusal(c, e);
  }
}
function refusal(c: Context, e: unknown): Response {
  if (e instanceof PeerUploadError) return c.json({ error: e.message, offset: e.offset }, e.status);
  if (e instanceof ItemNameError || e instanceof ItemConflictError || e instanceof FileOpError) {
    return c.json({ error: e.message }, 400);
  }
  throw e;
}

/** Before any validation: a request no server signed is not found (not "invalid"). */
const signedOnly: MiddlewareHandler<ShellEnv> = async (c, next) => {
  if (!signedBy(c)) return c.json({ error: "Not found" }, 404);
  await next();
};

export function friendName(c: { get(key: "viewer"): ShellEnv["Variables"]["viewer"] }): string {
  const v = c.get("viewer");
  if (v.kind !== "friend") throw new Error("the peer API's friend routes admit friends only");
  return v.name;
}

function tooMany(c: { json: (b: unknown, s: 429, h: Record<string, string>) => Response }, wait: number) {
  return c.json({ error: `Too many wrong answers: try again in ${wait} s`, retryAfterS: wait }, 429, {
    "retry-after": String(wait),
  });
}

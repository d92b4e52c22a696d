/** The user server's own DB (one libSQL file in its data directory). */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Versioned settings as JSON values, e.g. `import_roots`. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Content-addressed blobs: one file per SHA-256 under `<dataDir>/blobs/ab/cd/<hash>`. */
export const blobs = sqliteTable("blobs", {
  hash: text("hash").primaryKey(),
  size: integer("size").notNull(),
  /** How many items point at this blob; 0 → collected by the store's garbage collection. */
  refs: integer("refs").notNull().default(0),
  createdAt: integer("created_at").notNull(),
});

/** The item tree: folders and files. The root folder has id `root` and no parent. */
export const items = sqliteTable("items", {
  id: text("id").primaryKey(),
  parentId: text("parent_id"),
  /** NFC-normalized, validated by `userserver/store/names.ts`. */
  name: text("name").notNull(),
  kind: text("kind", { enum: ["folder", "file"] }).notNull(),
  /** A media type for files (`image/png`), `folder` for folders; plugins add their own types. */
  type: text("type").notNull(),
  size: integer("size").notNull().default(0),
  mtime: integer("mtime").notNull(),
  blobHash: text("blob_hash"),
  /** True when this item has its own ACL; otherwise it inherits its folder's. */
  aclSet: integer("acl_set", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
}, (t) => [
  uniqueIndex("items_parent_name").on(t.parentId, t.name),
  index("items_blob").on(t.blobHash),
  // The file manager's server-side sorts within one folder (userserver/files/listing.ts).
  index("items_parent_kind_name").on(t.parentId, t.kind, sql`${t.name} collate nocase`),
  index("items_parent_kind_size").on(t.parentId, t.kind, t.size),
  index("items_parent_kind_mtime").on(t.parentId, t.kind, t.mtime),
]);

/** The file manager's trash: an item moved under the hidden `trash` folder, and where it came from. */
export const fileTrash = sqliteTable("file_trash", {
  itemId: text("item_id").primaryKey(),
  originalParentId: text("original_parent_id").notNull(),
  originalName: text("original_name").notNull(),
  deletedAt: integer("deleted_at").notNull(),
}, (t) => [index("file_trash_deleted").on(t.deletedAt)]);

/** Items the owner starred in the file manager. */
export const fileFavorites = sqliteTable("file_favorites", {
  itemId: text("item_id").primaryKey(),
  createdAt: integer("created_at").notNull(),
});

/** Files recently opened, uploaded or edited in the file manager (one row per item, newest wins). */
export const fileRecent = sqliteTable("file_recent", {
  itemId: text("item_id").primaryKey(),
  at: integer("at").notNull(),
}, (t) => [index("file_recent_at").on(t.at)]);

/** An item's own ACL entries; the owner is implicit and never listed. */
export const acl = sqliteTable("acl", {
  itemId: text("item_id").notNull(),
  /** `user:<name>` or `group:<name>`. */
  principal: text("principal").notNull(),
  access: text("access", { enum: ["read", "write"] }).notNull(),
}, (t) => [primaryKey({ columns: [t.itemId, t.principal] })]);

export const groups = sqliteTable("groups", {
  name: text("name").primaryKey(),
  createdAt: integer("created_at").notNull(),
});

export const groupMembers = sqliteTable("group_members", {
  group: text("group").notNull(),
  user: text("user").notNull(),
}, (t) => [primaryKey({ columns: [t.group, t.user] })]);

/** Persistent notifications, raised from signals. */
export const notifications = sqliteTable("notifications", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  level: text("level", { enum: ["info", "error"] }).notNull(),
  title: text("title").notNull(),
  body: text("body").notNull().default(""),
  link: text("link"),
  seen: integer("seen", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
}, (t) => [index("notifications_seen").on(t.seen, t.createdAt)]);

/** Import jobs ("Add"): one row per run, kept as its report. */
export const imports = sqliteTable("imports", {
  id: text("id").primaryKey(),
  /** The directory imported, as resolved under an import root. */
  source: text("source").notNull(),
  /** The folder item the files go into. */
  targetId: text("target_id").notNull(),
  status: text("status", { enum: ["scanning", "running", "done", "cancelled", "failed", "interrupted"] })
    .notNull(),
  filesTotal: integer("files_total").notNull().default(0),
  filesDone: integer("files_done").notNull().default(0),
  /** Files whose content was already stored (same hash): not stored twice. */
  filesDeduped: integer("files_deduped").notNull().default(0),
  bytesTotal: integer("bytes_total").notNull().default(0),
  bytesDone: integer("bytes_done").notNull().default(0),
  /** JSON: `[{ path, reason }]`. */
  skipped: text("skipped").notNull().default("[]"),
  error: text("error"),
  startedAt: integer("started_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  finishedAt: integer("finished_at"),
});

/**
 * Sign-in sessions (userserver/auth), Lucia-style: the `__Host-` cookie carries `<id>.<secret>`,
 * only SHA-256(secret) is kept. Who signed in comes from IdCloud's id_token.
 */
export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  secretHash: text("secret_hash").notNull(),
  /** IdCloud's `sub` (the account id) and email. */
  sub: text("sub").notNull(),
  email: text("email").notNull().default(""),
  /** Whether IdCloud said this account owns this server. */
  isOwner: integer("is_owner", { mode: "boolean" }).notNull(),
  /** The Hearth servers (user names) IdCloud says this account owns, as JSON: a friend is known by them. */
  servers: text("servers").notNull().default("[]"),
  /** The id_token, kept as the `id_token_hint` for RP-initiated logout. */
  idToken: text("id_token").notNull(),
  /**
   * The grant's refresh token (scope `offline_access`): the server introspects it at IdCloud every
   * `sessionCheckSeconds` so that a password change or reset there ends this session (auth/session_check.ts).
   */
  refreshToken: text("refresh_token"),
  /** When IdCloud last said the grant is live (ms). */
  checkedAt: integer("checked_at"),
  createdAt: integer("created_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * Search (userserver/search): one row per indexed item. `docId` is the rowid of the item's rows in
 * the FTS5 tables `search_fts` (name, path, body, fields, comments) and `search_names` (trigram names), which
 * a hand-written migration creates (drizzle has no virtual tables).
 */
export const searchDocs = sqliteTable("search_docs", {
  docId: integer("doc_id").primaryKey({ autoIncrement: true }),
  itemId: text("item_id").notNull().unique(),
  /** The blob indexed; a different `items.blob_hash` means the entry is stale. */
  blobHash: text("blob_hash"),
  status: text("status", { enum: ["indexed", "failed", "skipped"] }).notNull(),
  /** Why extraction failed or was skipped ("took longer than 20 s", "larger than 200 MB"). */
  reason: text("reason"),
  chars: integer("chars").notNull().default(0),
  indexedAt: integer("indexed_at").notNull(),
});

/** The indexer's persistent queue: survives restarts; higher priority first, then oldest. */
export const searchQueue = sqliteTable("search_queue", {
  itemId: text("item_id").primaryKey(),
  priority: integer("priority").notNull().default(0),
  enqueuedAt: integer("enqueued_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
}, (t) => [index("search_queue_order").on(t.priority, t.enqueuedAt)]);

/**
 * App passwords (userserver/dav): one per device that cannot sign in with OpenID Connect (a WebDAV
 * mount, rclone). The secret is shown once; only its argon2id hash is kept. A request carrying it
 * is a `device` viewer.
 */
export const appPasswords = sqliteTable("app_passwords", {
  id: text("id").primaryKey(),
  label: text("label").notNull(),
  hash: text("hash").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  lastUsedFrom: text("last_used_from"),
});

/** WebDAV dead properties (PROPPATCH): the element's inner XML, per item, namespace and name. */
export const davProps = sqliteTable("dav_props", {
  itemId: text("item_id").notNull(),
  ns: text("ns").notNull(),
  name: text("name").notNull(),
  value: text("value").notNull(),
}, (t) => [primaryKey({ columns: [t.itemId, t.ns, t.name] })]);

/**
 * Share links (userserver/links): a capability URL `/s/<token>` to one file or folder. The token is
 * kept so the owner can copy the URL again; a password is kept only as its argon2id hash.
 */
export const links = sqliteTable("links", {
  id: text("id").primaryKey(),
  token: text("token").notNull().unique(),
  itemId: text("item_id").notNull(),
  label: text("label").notNull(),
  passwordHash: text("password_hash"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  expiresAt: integer("expires_at"),
  downloadLimit: integer("download_limit"),
  previewOnly: integer("preview_only", { mode: "boolean" }).notNull().default(false),
  fileDrop: integer("file_drop", { mode: "boolean" }).notNull().default(false),
  hideDownload: integer("hide_download", { mode: "boolean" }).notNull().default(false),
  allowComments: integer("allow_comments", { mode: "boolean" }).notNull().default(false),
  note: text("note").notNull().default(""),
  views: integer("views").notNull().default(0),
  downloads: integer("downloads").notNull().default(0),
  uploads: integer("uploads").notNull().default(0),
  failedPasswords: integer("failed_passwords").notNull().default(0),
  lastUsedAt: integer("last_used_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
}, (t) => [index("links_item").on(t.itemId)]);

/**
 * Comments (userserver/comments): keyed by the item's content hash (a folder's by its id), so
 * identical content shares one set of threads. A thread is its first comment's id; replies name
 * their parent. Removed comments stay (shown as removed) so replies keep their place.
 */
export const comments = sqliteTable("comments", {
  id: text("id").primaryKey(),
  itemKey: text("item_key").notNull(),
  threadId: text("thread_id").notNull(),
  parentId: text("parent_id"),
  author: text("author").notNull(),
  /** "owner", or "guest" (a link visitor who typed a name; `linkId` names the link). */
  authorKind: text("author_kind", { enum: ["owner", "guest"] }).notNull(),
  linkId: text("link_id"),
  content: text("content").notNull(),
  ip: text("ip").notNull(),
  visibility: text("visibility", { enum: ["public", "private", "removed"] }).notNull(),
  resolved: integer("resolved", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  editedAt: integer("edited_at"),
}, (t) => [index("comments_item").on(t.itemKey, t.createdAt)]);

/** Earlier texts of edited comments (the edit history). */
export const commentRevisions = sqliteTable("comment_revisions", {
  commentId: text("comment_id").notNull(),
  content: text("content").notNull(),
  replacedAt: integer("replaced_at").notNull(),
}, (t) => [index("comment_revisions_comment").on(t.commentId)]);

/**
 * The activity stream (userserver/activity): one row per burst of like events — the same kind, by
 * the same actor, in the same folder, each within a minute of the last — with how many there were.
 */
export const activity = sqliteTable("activity", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  /** "owner", "device", "link" (a link's visitors, `actor` = the link's label) or "friend". */
  actorKind: text("actor_kind").notNull(),
  actor: text("actor").notNull(),
  /** The folder the burst happened in (or the item itself for link and comment events). */
  itemId: text("item_id").notNull(),
  /** The last item the burst touched (for one-item entries: the item). */
  lastItemId: text("last_item_id").notNull(),
  title: text("title").notNull(),
  count: integer("count").notNull(),
  firstAt: integer("first_at").notNull(),
  lastAt: integer("last_at").notNull(),
}, (t) => [index("activity_last").on(t.lastAt), index("activity_item").on(t.itemId, t.lastAt)]);

/**
 * Friends (userserver/friends): one row per other Hearth server this one has a relation with, by
 * its user name. `state` is this side's view: outgoing (I asked), incoming (they asked), accepted,
 * rejected (by `rejectedBy`), subscribed (I read what they share; they may not read mine) or
 * subscriber (they read what I share; I may not read theirs). The key is pinned when the relation
 * starts; a different key at RegCloud later is recorded in `keyChangedAt` and shown to the owner.
 */
export const friends = sqliteTable("friends", {
  name: text("name").primaryKey(),
  state: text("state", {
    enum: ["outgoing", "incoming", "accepted", "rejected", "subscribed", "subscriber"],
  }).notNull(),
  rejectedBy: text("rejected_by", { enum: ["me", "them"] }),
  publicKeyJwk: text("public_key_jwk").notNull(),
  /** The new key when RegCloud's differs from the pinned one (the owner decides); null otherwise. */
  newKeyJwk: text("new_key_jwk"),
  keyChangedAt: integer("key_changed_at"),
  note: text("note").notNull().default(""),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * What friends share with this server, as last fetched by the share task: shown at once in
 * "Shared with me" (marked unavailable while the friend is offline), never waited for.
 */
export const friendShares = sqliteTable("friend_shares", {
  friend: text("friend").notNull(),
  itemId: text("item_id").notNull(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["file", "folder"] }).notNull(),
  type: text("type").notNull(),
  size: integer("size").notNull(),
  mtime: integer("mtime").notNull(),
  access: text("access", { enum: ["read", "write"] }).notNull(),
  hasThumb: integer("has_thumb", { mode: "boolean" }).notNull().default(false),
  fetchedAt: integer("fetched_at").notNull(),
}, (t) => [primaryKey({ columns: [t.friend, t.itemId] })]);

/**
 * Paired phones (userserver/devices): each holds a long-lived credential in a `__Host-` cookie —
 * `<id>.<secret>`, only the secret's SHA-256 kept here. It is rotated on use (at most daily; the
 * previous secret works until the device first shows the new one) and revoked by the owner.
 */
export const devices = sqliteTable("devices", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  platform: text("platform").notNull(),
  secretHash: text("secret_hash").notNull(),
  previousSecretHash: text("previous_secret_hash"),
  previousValidUntil: integer("previous_valid_until"),
  rotatedAt: integer("rotated_at").notNull(),
  pairedAt: integer("paired_at").notNull(),
  lastSeenAt: integer("last_seen_at"),
  lastSeenFrom: text("last_seen_from"),
  revokedAt: integer("revoked_at"),
});

/** One-time pairing links (a QR code on the owner's screen): five minutes, single use, only the token's hash kept. */
export const pairings = sqliteTable("pairings", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  deviceId: text("device_id"),
});

/**
 * The Collection (userserver/collection): physical things by their bar codes — scanned with the
 * phone's camera, read from a photo, or typed. Nothing is looked up online.
 */
export const collectionItems = sqliteTable("collection_items", {
  id: text("id").primaryKey(),
  code: text("code").notNull(),
  /** The symbology as the scanner names it: qr_code, ean_13, code_128, … ("" when typed). */
  format: text("format").notNull(),
  note: text("note").notNull().default(""),
  source: text("source", { enum: ["camera", "photo", "typed"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  /**
   * The entry's photo: a file item (in the Collection folder, unless moved), or null. No foreign
   * key: the photo is the owner's file to move, trash or delete; an entry whose photo is gone shows none.
   */
  photoId: text("photo_id"),
}, (t) => [index("collection_items_created").on(t.createdAt)]);

/**
 * Photos (userserver/photos): one row per photo or video file, with what the timeline needs, so a
 * window of it is one index range read. Times are the camera's wall clock written as if it were
 * UTC (EXIF carries no time zone): a photo taken at 14:00 in Tokyo shows 14:00 wherever it is seen.
 */
export const photos = sqliteTable("photos", {
  itemId: text("item_id").primaryKey(),
  blobHash: text("blob_hash").notNull(),
  kind: text("kind", { enum: ["photo", "video"] }).notNull(),
  takenAt: integer("taken_at").notNull(),
  /** yyyymmdd of `takenAt`: the timeline's day groups. */
  day: integer("day").notNull(),
  /** Where the time came from: the photo's EXIF, the file's time, or the owner's correction. */
  takenFrom: text("taken_from", { enum: ["exif", "file", "owner"] }).notNull(),
  width: integer("width").notNull().default(0),
  height: integer("height").notNull().default(0),
  /** The placeholder colour (`#rrggbb`) shown until the thumbnail arrives. */
  colour: text("colour").notNull().default(""),
  /** Camera, lens, exposure… as JSON for the viewer's panel; GPS is kept apart, below. */
  exif: text("exif").notNull().default("{}"),
  latitude: real("latitude"),
  longitude: real("longitude"),
  /** In the trash (or below a trashed folder): left out of the timeline and albums. */
  trashed: integer("trashed", { mode: "boolean" }).notNull().default(false),
  state: text("state", { enum: ["pending", "done", "failed"] }).notNull(),
  error: text("error"),
}, (t) => [
  index("photos_timeline").on(t.trashed, t.day, t.takenAt, t.itemId),
  index("photos_state").on(t.state),
  index("photos_blob").on(t.blobHash),
]);

/** How many (untrashed) photos each day has: the timeline's layout, kept by triggers (0015). */
export const photoDays = sqliteTable("photo_days", {
  day: integer("day").primaryKey(),
  count: integer("count").notNull(),
});

/**
 * Albums: hand-picked (their photos in `photo_album_items`) or a folder's (`folderId` set: the
 * folder's photos, with this row holding only its title, cover and skin). A view, never a copy.
 */
export const photoAlbums = sqliteTable("photo_albums", {
  id: text("id").primaryKey(),
  folderId: text("folder_id").unique(),
  title: text("title").notNull(),
  description: text("description").notNull().default(""),
  coverItemId: text("cover_item_id"),
  skin: text("skin", { enum: ["grid", "story"] }).notNull().default("grid"),
  /** The album's share link (random, 256 bits) while it is shared; null otherwise. */
  shareToken: text("share_token").unique(),
  /** The owner chose to show where photos were taken to the link's visitors. */
  shareGps: integer("share_gps", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const photoAlbumItems = sqliteTable("photo_album_items", {
  albumId: text("album_id").notNull(),
  itemId: text("item_id").notNull(),
  position: integer("position").notNull(),
}, (t) => [
  primaryKey({ columns: [t.albumId, t.itemId] }),
  index("photo_album_items_order").on(t.albumId, t.position),
  index("photo_album_items_item").on(t.itemId),
]);

/**
 * Who an album is shared with besides its link: friends (`user:<name>`) and groups (`group:<name>`),
 * as the Share page names them for files. Their servers list it and show it in its skin.
 */
export const photoAlbumShares = sqliteTable(
  "photo_album_shares",
  {
    albumId: text("album_id").notNull(),
    principal: text("principal").notNull(),
  },
  (
    t,
  ) => [
    primaryKey({ columns: [t.albumId, t.principal] }),
    index("photo_album_shares_principal").on(t.principal),
  ],
);

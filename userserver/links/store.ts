/**
 * The links table: create, read, change and delete share links, and count what visitors do with
 * them. A link's URL token carries 192 random bits; a password is kept only as its argon2id hash
 * (never stored or logged in clear). Lookups by token run on the prepared read connection (every
 * guest request makes one).
 */
import { desc, eq, sql } from "drizzle-orm";
import { links } from "../../shared/db/userserver/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import type { Reader, UserDb } from "../database/mod.ts";

type Row = typeof links.$inferSelect;

/** A link as the owner sees it (the password only as "has one"). */
export interface Link {
  id: string;
  token: string;
  itemId: string;
  label: string;
  hasPassword: boolean;
  active: boolean;
  expiresAt: number | null;
  downloadLimit: number | null;
  previewOnly: boolean;
  fileDrop: boolean;
  hideDownload: boolean;
  allowComments: boolean;
  note: string;
  views: number;
  downloads: number;
  uploads: number;
  failedPasswords: number;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What the owner sets; `password`: a new one, `null` to remove it, absent to keep it. */
export interface LinkSettings {
  label: string;
  password?: string | null;
  active: boolean;
  expiresAt: number | null;
  downloadLimit: number | null;
  previewOnly: boolean;
  fileDrop: boolean;
  hideDownload: boolean;
  allowComments: boolean;
  note: string;
}

export const DEFAULT_SETTINGS: LinkSettings = {
  label: "",
  active: true,
  expiresAt: null,
  downloadLimit: null,
  previewOnly: false,
  fileDrop: false,
  hideDownload: false,
  allowComments: false,
  note: "",
};

export const MAX_LABEL = 80;
export const MAX_NOTE = 2000;
export const MIN_PASSWORD = 4;
export const MAX_PASSWORD = 256;
/** 24 random bytes = 192 bits in 32 base64url characters. */
export const TOKEN_BYTES = 24;
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export class LinkSettingsError extends Error {
  override name = "LinkSettingsError";
}

/** The settings, checked: a clear message for each mistake. */
export function checkSettings(
  s: LinkSettings,
  item: { kind: "file" | "folder"; name: string },
): LinkSettings {
  const label = s.label.trim().slice(0, MAX_LABEL) || item.name.slice(0, MAX_LABEL);
  if (s.note.length > MAX_NOTE) throw new LinkSettingsError(`The note is longer than ${MAX_NOTE} characters`);
  if (typeof s.password === "string") {
    if (s.password.length < MIN_PASSWORD) {
      throw new LinkSettingsError(`A link password needs at least ${MIN_PASSWORD} characters`);
    }
    if (s.password.length > MAX_PASSWORD) {
      throw new LinkSettingsError(`A link password has at most ${MAX_PASSWORD} characters`);
    }
  }
  if (s.fileDrop && item.kind !== "folder") throw new LinkSettingsError("File drop needs a folder");
  if (s.downloadLimit !== null && (!Number.isSafeInteger(s.downloadLimit) || s.downloadLimit < 1)) {
    throw new LinkSettingsError("A download limit is a whole number of at least 1");
  }
  if (s.expiresAt !== null && !Number.isSafeInteger(s.expiresAt)) {
    throw new LinkSettingsError("The expiry date is not a date");
  }
  return {
    label,
    password: s.password,
    active: s.active,
    expiresAt: s.expiresAt,
    downloadLimit: s.downloadLimit,
    previewOnly: s.previewOnly,
    fileDrop: s.fileDrop,
    hideDownload: s.hideDownload,
    allowComments: s.allowComments,
    note: s.note.trim(),
  };
}

/** A link's settings as the owner last saved them (the password kept as it is). */
export function settingsOf(l: Link): LinkSettings {
  return {
    label: l.label,
    active: l.active,
    expiresAt: l.expiresAt,
    downloadLimit: l.downloadLimit,
    previewOnly: l.previewOnly,
    fileDrop: l.fileDrop,
    hideDownload: l.hideDownload,
    allowComments: l.allowComments,
    note: l.note,
  };
}

function linkOf(r: Row): Link {
  const { passwordHash, ...rest } = r;
  return { ...rest, hasPassword: passwordHash !== null };
}

/** A link's row from the read connection (snake_case columns). */
function linkOfRaw(r: Record<string, unknown>): Link & { passwordHash: string | null } {
  const n = (v: unknown) => v === null ? null : Number(v);
  return {
    id: String(r.id),
    token: String(r.token),
    itemId: String(r.item_id),
    label: String(r.label),
    hasPassword: r.password_hash !== null,
    passwordHash: r.password_hash === null ? null : String(r.password_hash),
    active: Number(r.active) === 1,
    expiresAt: n(r.expires_at),
    downloadLimit: n(r.download_limit),
    previewOnly: Number(r.preview_only) === 1,
    fileDrop: Number(r.file_drop) === 1,
    hideDownload: Number(r.hide_download) === 1,
    allowComments: Number(r.allow_comments) === 1,
    note: String(r.note),
    views: Number(r.views),
    downloads: Number(r.downloads),
    uploads: Number(r.uploads),
    failedPasswords: Number(r.failed_passwords),
    lastUsedAt: n(r.last_used_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export type Counter = "views" | "downloads" | "uploads" | "failedPasswords";

export class Links {
  constructor(
    private readonly db: UserDb,
    private readonly reader: Reader,
    private readonly now: () => number = Date.now,
  ) {}

  async create(itemId: string, settings: LinkSettings): Promise<Link> {
    const t = this.now();
    const { password, ...rest } = settings;
    const row: Row = {
      id: randomToken(12),
      token: randomToken(TOKEN_BYTES),
      itemId,
      ...rest,
      passwordHash: password ? await hashPassword(password) : null,
      views: 0,
      downloads: 0,
      uploads: 0,
      failedPasswords: 0,
      lastUsedAt: null,
      createdAt: t,
      updatedAt: t,
    };
    await this.db.write(() => this.db.orm.insert(links).values(row));
    return linkOf(row);
  }

  async get(id: string): Promise<Link | undefined> {
    const r = await this.db.orm.select().from(links).where(eq(links.id, id)).get();
    return r ? linkOf(r) : undefined;
  }

  /** The link a URL token names (with its password hash, for the guest door), or undefined. */
  byToken(token: string): (Link & { passwordHash: string | null }) | undefined {
    if (!TOKEN.test(token)) return undefined;
    const r = this.reader.get<Record<string, unknown>>("select * from links where token = $token", {
      $token: token,
    });
    return r ? linkOfRaw(r) : undefined;
  }

  /** Every link, newest first, or those of one item. */
  async list(itemId?: string): Promise<Link[]> {
    const q = this.db.orm.select().from(links);
    const rows = await (itemId ? q.where(eq(links.itemId, itemId)) : q).orderBy(desc(links.createdAt)).all();
    return rows.map(linkOf);
  }

  async update(id: string, settings: LinkSettings): Promise<Link | undefined> {
    const { password, ...rest } = settings;
    const passwordHash = password === undefined
      ? {}
      : { passwordHash: password ? await hashPassword(password) : null };
    const rows = await this.db.write(() =>
      this.db.orm.update(links).set({ ...rest, ...passwordHash, updatedAt: this.now() }).where(
        eq(links.id, id),
      )
        .returning()
    );
    return rows[0] ? linkOf(rows[0]) : undefined;
  }

  async delete(id: string): Promise<Link | undefined> {
    const rows = await this.db.write(() => this.db.orm.delete(links).where(eq(links.id, id)).returning());
    return rows[0] ? linkOf(rows[0]) : undefined;
  }

  /** Adds one to a counter and marks the link used now. */
  async count(id: string, counter: Counter): Promise<void> {
    const col = links[counter];
    await this.db.write(() =>
      this.db.orm.update(links).set({ [counter]: sql`${col} + 1`, lastUsedAt: this.now() }).where(
        eq(links.id, id),
      )
    );
  }

  /**
   * Takes one download from the link's allowance: false (and nothing counted) when the limit is
   * reached. One statement, so two visitors cannot both take the last download.
   */
  async takeDownload(id: string): Promise<boolean> {
    const rows = await this.db.write(() =>
      this.db.orm.update(links).set({ downloads: sql`${links.downloads} + 1`, lastUsedAt: this.now() })
        .where(
          sql`${links.id} = ${id} and (${links.downloadLimit} is null or ${links.downloads} < ${links.downloadLimit})`,
        ).returning({ id: links.id })
    );
    return rows.length > 0;
  }
}

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

export async function passwordMatches(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

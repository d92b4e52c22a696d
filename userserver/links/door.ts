/**
 * The link guest's door: which link a request names (`/s/<token>/…`, or the `Hearth-Link` header
 * on a file drop's tus requests), whether it is open (active, not expired, its item not deleted),
 * and whether this browser has unlocked it. An unlocked password link is remembered by a
 * `__Host-` cookie named for that link, holding an expiry and an HMAC over the link id, the expiry
 * and the password's hash, so changing the password locks every browser out again.
 */
import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { settings } from "../../shared/db/userserver/schema.ts";
import { constantTimeEqual, randomToken } from "../../shared/crypto/mod.ts";
import type { Reader, UserDb } from "../database/mod.ts";
import type { Viewer } from "../permissions/mod.ts";
import type { Link, Links } from "./store.ts";

export const LINK_HEADER = "hearth-link";
const UNLOCK_DAYS = 7;
const KEY_SETTING = "links.cookie_key";

export type StoredLink = Link & { passwordHash: string | null };

/** Why a link does not open (each answers 404 to a visitor, but the owner is told which). */
export type LinkState = "open" | "inactive" | "expired" | "gone";

export function linkState(link: Link, itemAlive: boolean, now: number): LinkState {
  if (!itemAlive) return "gone";
  if (!link.active) return "inactive";
  if (link.expiresAt !== null && link.expiresAt <= now) return "expired";
  return "open";
}

/** The URL token a request names: the path's `/s/<token>`, else the file drop's header. */
export function tokenOf(c: Context): string | undefined {
  const m = /^\/s\/([A-Za-z0-9_-]{32})(?:\/|$)/.exec(c.req.path);
  return m?.[1] ?? c.req.header(LINK_HEADER) ?? undefined;
}

export function guestViewer(link: Link): Viewer {
  return {
    kind: "linkGuest",
    linkId: link.id,
    label: link.label,
    rootId: link.itemId,
    access: link.fileDrop ? "write" : "read",
    mayComment: link.allowComments,
  };
}

const cookieName = (linkId: string) => `hearth-link-${linkId}`;

/** Issues and checks the per-link unlock cookies (the key lives in the settings table). */
export class UnlockCookies {
  private constructor(private readonly key: string) {}

  /** The key from the settings table (made and stored on first use). */
  static open(db: UserDb, reader: Reader): UnlockCookies {
    const row = reader.get<{ value: string }>("select value from settings where key = $key", {
      $key: KEY_SETTING,
    });
    if (row) return new UnlockCookies(JSON.parse(row.value));
    const key = randomToken(32);
    void db.write(() =>
      db.orm.insert(settings).values({ key: KEY_SETTING, value: JSON.stringify(key), updatedAt: Date.now() })
    );
    return new UnlockCookies(key);
  }

  #mac(link: StoredLink, exp: number): string {
    return createHmac("sha256", this.key).update(`${link.id}.${exp}.${link.passwordHash ?? ""}`).digest(
      "base64url",
    );
  }

  set(c: Context, link: StoredLink, now: number): void {
    const exp = now + UNLOCK_DAYS * 86_400_000;
    setCookie(c, cookieName(link.id), `${exp}.${this.#mac(link, exp)}`, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: UNLOCK_DAYS * 86_400,
      prefix: "host",
    });
  }

  has(c: Context, link: StoredLink, now: number): boolean {
    const raw = getCookie(c, cookieName(link.id), "host");
    const m = raw ? /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(raw) : null;
    if (!m) return false;
    const exp = Number(m[1]);
    return exp > now && constantTimeEqual(m[2]!, this.#mac(link, exp));
  }
}

/** The link a request names if it is open, and whether this browser may enter it. */
export function openLink(
  c: Context,
  links: Links,
  cookies: UnlockCookies,
  itemAlive: (id: string) => boolean,
  now: number,
): { link: StoredLink; unlocked: boolean } | undefined {
  const token = tokenOf(c);
  const link = token ? links.byToken(token) : undefined;
  if (!link || linkState(link, itemAlive(link.itemId), now) !== "open") return undefined;
  return { link, unlocked: link.passwordHash === null || cookies.has(c, link, now) };
}

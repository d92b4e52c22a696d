/** Helpers the file manager's route modules share: the page frame, redirects after actions, form fields. */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import type { Core } from "../core/mod.ts";
import type { Access } from "../permissions/mod.ts";
import type { Granted } from "../permissions/mod.ts";
import { requireAccess, type ShellEnv } from "../plugins/mod.ts";
import { ItemConflictError, ItemNameError } from "../store/mod.ts";
import { render } from "../web/render.tsx";
import { FileOpError, TRASH_ID } from "./ops.ts";
import { UploadMetadataError } from "./uploads.ts";
import { Assets } from "./views.tsx";

type C = Context<ShellEnv>;

/** A full page (or the fragment htmx asked for) with the file manager's assets. */
export function page(c: C, title: string, body: Child, status?: 409): Promise<Response> {
  return render(c, c.var.shell, {
    title,
    status,
    body: (
      <>
        <Assets />
        {body}
      </>
    ),
  });
}

/** The item, or 404 unless the viewer may `access` it. */
export function requireItem(core: Core, c: C, id: string, access: Access) {
  return requireAccess(core, c, id, access).item;
}

export const isOwner = (c: C) => c.get("viewer").kind === "owner";

/** Whether a granted item lies in the trash (its ancestry starts at the trash, not at Home). */
export const inTrash = (g: Granted) => g.ancestry[0]?.id === TRASH_ID;

/** Errors a user can fix: shown as a sentence, never logged as a server failure. */
export function userMessage(e: unknown): string | undefined {
  if (
    e instanceof ItemNameError || e instanceof ItemConflictError || e instanceof FileOpError ||
    e instanceof UploadMetadataError
  ) return e.message;
  return undefined;
}

/** A same-origin path to go back to (never an absolute URL: no open redirect). */
export function safeBack(v: unknown, fallback: string): string {
  const s = typeof v === "string" ? v : "";
  return /^\/(?![/\\])[^\s]*$/.test(s) ? s : fallback;
}

/** What an action says on the page it returns to. */
export interface Notice {
  ok?: string;
  error?: string;
}

const FLASH_COOKIE = "hearth-flash";

/**
 * Redirects to `back` with a notice shown once, on the next page: a short-lived `__Host-` cookie,
 * not a query parameter, so a reload or a shared link does not show it again.
 */
export function redirectWith(c: C, back: string, notice?: Notice): Response {
  if (notice?.ok || notice?.error) {
    // hono/cookie percent-encodes the value (and getCookie decodes it).
    const value = JSON.stringify({ ok: notice.ok?.slice(0, 500), error: notice.error?.slice(0, 500) });
    setCookie(c, FLASH_COOKIE, value, {
      path: "/",
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: 60,
      prefix: "host",
    });
  }
  return c.redirect(back, 303);
}

/** The notice a redirect left for this page, if any; it is gone afterwards. */
export function takeNotice(c: C): Notice {
  const raw = getCookie(c, FLASH_COOKIE, "host");
  if (raw === undefined) return {};
  deleteCookie(c, FLASH_COOKIE, { path: "/", secure: true, prefix: "host" });
  try {
    const v = JSON.parse(raw);
    return {
      ok: typeof v?.ok === "string" ? v.ok.slice(0, 500) : undefined,
      error: typeof v?.error === "string" ? v.error.slice(0, 500) : undefined,
    };
  } catch {
    return {};
  }
}

/** Runs `fn`; a user error goes back to `back` with the message, anything else is a 500. */
export async function act(c: C, back: string, fn: () => Promise<string | void>): Promise<Response> {
  try {
    const ok = await fn();
    return redirectWith(c, back, ok ? { ok } : undefined);
  } catch (e) {
    const msg = userMessage(e);
    if (msg === undefined) throw e;
    return redirectWith(c, back, { error: msg });
  }
}

/** The selected item ids of a form (at least one, at most 10,000). */
export function idsOf(form: Record<string, unknown>): string[] {
  const v = form["ids"] ?? form["ids[]"];
  const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  if (list.length === 0) throw new FileOpError("Select at least one item first");
  if (list.length > 10_000) {
    throw new FileOpError(`${list.length} items at once is too many (at most 10000)`);
  }
  return list;
}

export const form = async (c: C) => await c.req.parseBody({ all: true });

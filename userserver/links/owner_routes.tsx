/**
 * The owner's routes for links: the REST API (`/api/links`, JSON, documented in the README) and
 * the htmx pages (an item's Share page, "Shared by link", the QR code). Only the owner enters
 * (the plugin admits no other viewer here).
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { renderSVG } from "uqr";
import { z } from "zod";
import { jsonBody } from "../../shared/web/json_body.ts";
import type { Core } from "../core/mod.ts";
import { requireAccess, type ShellApp, type ShellEnv } from "../plugins/mod.ts";
import { page, redirectWith, safeBack, takeNotice } from "../files/_http.tsx";
import { linkState } from "./door.ts";
import { type LinkView, SharedByLinkPage, SharePage } from "./owner_views.tsx";
import {
  checkSettings,
  DEFAULT_SETTINGS,
  type Link,
  type Links,
  type LinkSettings,
  LinkSettingsError,
  MAX_LABEL,
  MAX_NOTE,
  MAX_PASSWORD,
  settingsOf,
} from "./store.ts";

export interface OwnerDeps {
  core: Core;
  links: Links;
  /** This server's public origin (the URLs the owner copies). */
  publicOrigin: string;
  itemAlive(id: string): boolean;
  now?: () => number;
  /** More on the Share page (friends and groups). */
  shareSection?: (itemId: string) => Promise<unknown>;
}

type C = Context<ShellEnv>;

const apiSettings = z.object({
  label: z.string().max(MAX_LABEL).optional(),
  password: z.string().max(MAX_PASSWORD).nullable().optional(),
  active: z.boolean().optional(),
  expiresAt: z.number().int().nullable().optional(),
  downloadLimit: z.number().int().min(1).nullable().optional(),
  previewOnly: z.boolean().optional(),
  fileDrop: z.boolean().optional(),
  hideDownload: z.boolean().optional(),
  allowComments: z.boolean().optional(),
  note: z.string().max(MAX_NOTE).optional(),
}).strict();
const apiCreate = apiSettings.extend({ itemId: z.string().min(1).max(64) });

export function ownerRoutes(d: OwnerDeps): ShellApp {
  const app = new Hono<ShellEnv>();
  const now = d.now ?? Date.now;
  const view = async (link: Link): Promise<LinkView> => ({
    link,
    url: `${d.publicOrigin}/s/${link.token}`,
    state: linkState(link, d.itemAlive(link.itemId), now()),
    item: await d.core.store.items.get(link.itemId),
  });
  const json = async (link: Link) => {
    const v = await view(link);
    return { ...link, url: v.url, state: v.state };
  };
  const itemOf = (c: C, id: string) => requireAccess(d.core, c, id, "write").item;

  // REST API.
  app.get("/api/links", async (c) => {
    const item = c.req.query("item");
    return c.json({ links: await Promise.all((await d.links.list(item)).map(json)) });
  });
  app.post("/api/links", jsonBody(apiCreate), async (c) => {
    const { itemId, ...body } = c.req.valid("json");
    const item = itemOf(c, itemId);
    try {
      const link = await d.links.create(item.id, checkSettings({ ...DEFAULT_SETTINGS, ...body }, item));
      void d.core.signals.emit("link.created", { linkId: link.id, label: link.label, itemId: item.id });
      return c.json({ link: await json(link) }, 201);
    } catch (e) {
      if (e instanceof LinkSettingsError) return c.json({ error: e.message }, 400);
      throw e;
    }
  });
  app.get("/api/links/:id", async (c) => {
    const link = await d.links.get(c.req.param("id"));
    return link ? c.json({ link: await json(link) }) : c.json({ error: "No such link" }, 404);
  });
  app.patch("/api/links/:id", jsonBody(apiSettings), async (c) => {
    const link = await d.links.get(c.req.param("id"));
    if (!link) return c.json({ error: "No such link" }, 404);
    const item = itemOf(c, link.itemId);
    try {
      const next = checkSettings({ ...settingsOf(link), ...c.req.valid("json") }, item);
      const changed = await d.links.update(link.id, next);
      void d.core.signals.emit("link.changed", { linkId: link.id, label: next.label, itemId: item.id });
      return c.json({ link: await json(changed!) });
    } catch (e) {
      if (e instanceof LinkSettingsError) return c.json({ error: e.message }, 400);
      throw e;
    }
  });
  app.delete("/api/links/:id", async (c) => {
    const gone = await d.links.delete(c.req.param("id"));
    if (!gone) return c.json({ error: "No such link" }, 404);
    void d.core.signals.emit("link.deleted", { linkId: gone.id, label: gone.label, itemId: gone.itemId });
    return c.body(null, 204);
  });

  // Pages.
  app.get("/browse/:id/share", async (c) => {
    const { item, ancestry } = requireAccess(d.core, c, c.req.param("id"), "write");
    const links = await Promise.all((await d.links.list(item.id)).map(view));
    return page(
      c,
      `Share ${item.name}`,
      <SharePage
        item={item}
        chain={ancestry}
        links={links}
        more={(await d.shareSection?.(item.id)) as Child | undefined}
        {...takeNotice(c)}
      />,
    );
  });
  app.get("/links", async (c) => {
    const links = await Promise.all((await d.links.list()).map(view));
    return page(c, "Shared by link", <SharedByLinkPage links={links} />);
  });
  app.get("/links/:id/qr.svg", async (c) => {
    const link = await d.links.get(c.req.param("id"));
    if (!link) throw new HTTPException(404, { message: "No such link" });
    return c.body(renderSVG(`${d.publicOrigin}/s/${link.token}`, { border: 2 }), 200, {
      "content-type": "image/svg+xml",
      "cache-control": "private, no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    });
  });
  app.post("/links", async (c) => {
    const form = await c.req.parseBody();
    const item = itemOf(c, String(form.itemId ?? ""));
    const back = safeBack(form.back, `/browse/${item.id}/share`);
    try {
      const settings = checkSettings(settingsOfForm(form, DEFAULT_SETTINGS), item);
      const link = await d.links.create(item.id, settings);
      void d.core.signals.emit("link.created", { linkId: link.id, label: link.label, itemId: item.id });
      return redirectWith(c, back, { ok: `Link “${link.label}” created` });
    } catch (e) {
      if (e instanceof LinkSettingsError) return redirectWith(c, back, { error: e.message });
      throw e;
    }
  });
  app.post("/links/:id", async (c) => {
    const link = await d.links.get(c.req.param("id"));
    if (!link) throw new HTTPException(404, { message: "No such link" });
    const item = itemOf(c, link.itemId);
    const form = await c.req.parseBody();
    const back = safeBack(form.back, `/browse/${item.id}/share`);
    try {
      const next = checkSettings(settingsOfForm(form, settingsOf(link)), item);
      await d.links.update(link.id, next);
      void d.core.signals.emit("link.changed", { linkId: link.id, label: next.label, itemId: item.id });
      return redirectWith(c, back, { ok: `Link “${next.label}” saved` });
    } catch (e) {
      if (e instanceof LinkSettingsError) return redirectWith(c, back, { error: e.message });
      throw e;
    }
  });
  app.post("/links/:id/delete", async (c) => {
    const form = await c.req.parseBody();
    const gone = await d.links.delete(c.req.param("id"));
    if (!gone) throw new HTTPException(404, { message: "No such link" });
    void d.core.signals.emit("link.deleted", { linkId: gone.id, label: gone.label, itemId: gone.itemId });
    return redirectWith(c, safeBack(form.back, "/links"), { ok: `Link “${gone.label}” deleted` });
  });
  return app;
}

/** The settings a Share form posts (checkboxes absent = off; an empty password keeps the old one). */
function settingsOfForm(form: Record<string, unknown>, base: LinkSettings): LinkSettings {
  const text = (k: string) => typeof form[k] === "string" ? (form[k] as string) : "";
  const on = (k: string) => form[k] === "1" || form[k] === "on";
  const expires = text("expires");
  const limit = text("downloadLimit").trim();
  const expiresAt = expires ? Date.parse(`${expires}T23:59:59Z`) : null;
  if (expiresAt !== null && Number.isNaN(expiresAt)) {
    throw new LinkSettingsError("The expiry date is not a date");
  }
  const password = on("removePassword") ? null : text("password") ? text("password") : undefined;
  return {
    ...base,
    label: text("label"),
    password,
    active: on("active"),
    expiresAt,
    downloadLimit: limit ? Number(limit) : null,
    previewOnly: on("previewOnly"),
    fileDrop: on("fileDrop"),
    hideDownload: on("hideDownload"),
    allowComments: on("allowComments"),
    note: text("note"),
  };
}

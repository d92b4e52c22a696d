/**
 * The Collection, a plugin: things by their bar codes. A phone scans with its camera (the browser's
 * `BarcodeDetector` where it has one, the ZXing WebAssembly decoder otherwise — served from this
 * server, no CDN), reads a code from a photo, or the code is typed when the camera is refused. Each
 * entry keeps the code, its format, when, a note and optionally a photo (a file in the Collection
 * folder, photos.ts); listed, filtered and found by search of the page. No online lookup: what you own is nobody else's business.
 */
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { collectionItems } from "../../shared/db/userserver/schema.ts";
import { randomToken } from "../../shared/crypto/mod.ts";
import { cspAllowingWasm } from "../../shared/web/headers.ts";
import { withoutControlChars } from "../../shared/text.ts";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { form, page, redirectWith, takeNotice } from "../files/_http.tsx";
import { CollectionPage } from "./views.tsx";
import { CollectionPhotos, PhotoError } from "./photos.ts";

export type CollectionItem = typeof collectionItems.$inferSelect;
const SOURCES = ["camera", "photo", "typed"] as const;

/** The photo a form carries, if one was chosen (an empty file input sends a nameless empty file). */
const photoOf = (f: Record<string, unknown>): File | undefined => {
  const v = [f.photo].flat()[0];
  return v instanceof File && v.size > 0 ? v : undefined;
};

export function collectionPlugin(core: Core): Plugin {
  const photos = new CollectionPhotos(core);
  return {
    id: "collection",
    places: [{ label: "Collection", path: "/collection", icon: "file", order: 70 }],
    viewers: { "/collection": ["device"] },
    app: () => {
      const app = new Hono<ShellEnv>();
      app.get("/collection", async (c) => {
        const q = (c.req.query("q") ?? "").trim().toLowerCase().slice(0, 100);
        const all = await core.db.orm.select().from(collectionItems).orderBy(desc(collectionItems.createdAt))
          .limit(5000)
          .all();
        const shown = q
          ? all.filter((i) => `${i.code} ${i.note} ${i.format}`.toLowerCase().includes(q))
          : all;
        const pictured = await photos.of(shown.flatMap((i) => i.photoId ? [i.photoId] : []));
        // The scanner's decoder is WebAssembly: this page alone may compile it.
        c.header("content-security-policy", cspAllowingWasm());
        return await page(
          c,
          "Collection",
          <CollectionPage items={shown} photos={pictured} total={all.length} q={q} notices={takeNotice(c)} />,
        );
      });

      app.post("/collection", async (c) => {
        const f = await form(c);
        const code = withoutControlChars(String(f.code ?? "")).trim().slice(0, 2000);
        const format = String(f.format ?? "").replace(/[^a-z0-9_]/g, "").slice(0, 40);
        const note = String(f.note ?? "").trim().slice(0, 1000);
        const source = SOURCES.find((s) => s === f.source) ?? "typed";
        const wantsJson = (c.req.header("accept") ?? "").includes("application/json");
        if (!code) {
          return wantsJson
            ? c.json({ error: "A code is needed" }, 400)
            : redirectWith(c, "/collection", { error: "A code is needed" });
        }
        const photo = photoOf(f);
        let photoId: string | null = null;
        try {
          if (photo) photoId = await photos.save(photo, code);
        } catch (e) {
          if (!(e instanceof PhotoError)) throw e;
          return wantsJson
            ? c.json({ error: e.message }, 400)
            : redirectWith(c, "/collection", { error: e.message });
        }
        const item: CollectionItem = {
          id: randomToken(12),
          code,
          format,
          note,
          source,
          createdAt: Date.now(),
          photoId,
        };
        await core.db.write(() => core.db.orm.insert(collectionItems).values(item));
        return wantsJson ? c.json({ item }, 201) : redirectWith(c, "/collection", { ok: `Added ${code}` });
      });

      // A photo for an entry that has none (scanned live), or a new one: the old file stays a file.
      app.post("/collection/:id/photo", async (c) => {
        const entry = (await core.db.orm.select().from(collectionItems)
          .where(eq(collectionItems.id, c.req.param("id"))).all())[0];
        if (!entry) return c.notFound();
        const photo = photoOf(await form(c));
        if (!photo) return redirectWith(c, "/collection", { error: "Choose a photo first" });
        try {
          const photoId = await photos.save(photo, entry.code);
          await core.db.write(() =>
            core.db.orm.update(collectionItems).set({ photoId }).where(eq(collectionItems.id, entry.id))
          );
        } catch (e) {
          if (!(e instanceof PhotoError)) throw e;
          return redirectWith(c, "/collection", { error: e.message });
        }
        return redirectWith(c, "/collection", { ok: `Photo added to ${entry.code}` });
      });

      app.post("/collection/:id/delete", async (c) => {
        await core.db.write(() =>
          core.db.orm.delete(collectionItems).where(eq(collectionItems.id, c.req.param("id")))
        );
        return redirectWith(c, "/collection", { ok: "Removed" });
      });
      return app;
    },
  };
}

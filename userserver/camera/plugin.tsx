/**
 * Camera uploads, a plugin: a phone (a paired device, or the owner) takes photos or picks many
 * from its gallery; they go to the Camera folder (config `cameraFolder`) over tus — resumable
 * across a lost network or a killed app — with no duplicates: the page hashes each file first and
 * asks which contents the server already has, so picking the same photos again sends nothing.
 * Also the PWA's share target: "Share → Hearth" from the gallery lands here.
 */
import { and, inArray, ne } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { items } from "../../shared/db/userserver/schema.ts";
import { jsonBody } from "../../shared/web/json_body.ts";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { page, redirectWith, takeNotice } from "../files/_http.tsx";
import { FileOps, TRASH_ID } from "../files/mod.ts";
import { ROOT_ID } from "../store/mod.ts";
import { CameraPage } from "./views.tsx";

const knownBody = z.strictObject({ hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(5000) });

export function cameraPlugin(core: Core): Plugin {
  const ops = new FileOps(core.db, core.store, core.signals);
  /** Which of these contents are stored (anywhere but the trash). */
  const stored = async (hashes: string[]): Promise<Set<string>> => {
    if (hashes.length === 0) return new Set();
    const rows = await core.db.orm.selectDistinct({ hash: items.blobHash }).from(items)
      .where(and(inArray(items.blobHash, hashes), ne(items.parentId, TRASH_ID))).all();
    return new Set(rows.flatMap((r) => r.hash ? [r.hash] : []));
  };
  /** The Camera folder's id, made on first use. */
  const folder = async () =>
    (await core.store.items.ensureFolder(ROOT_ID, core.config.current.cameraFolder)).item;

  return {
    id: "camera",
    // No tab: "Camera" is a place beside Home, on a phone and on a desktop.
    places: [{ label: "Camera", path: "/camera", icon: "image", order: 60 }],
    viewers: { "/camera": ["device"] },
    app: () => {
      const app = new Hono<ShellEnv>();
      app.get("/camera", async (c) => {
        const f = await folder();
        return await page(
          c,
          "Camera",
          <CameraPage folderId={f.id} folderName={f.name} notices={takeNotice(c)} />,
        );
      });

      // Which of these contents are stored already (anywhere but the trash): those are not sent.
      app.post("/camera/known", jsonBody(knownBody), async (c) => {
        const { hashes } = c.req.valid("json");
        return c.json({ known: [...await stored(hashes)] });
      });

      // The PWA's share target: files shared from the phone's gallery (a form post, no script).
      app.post("/camera/share", async (c) => {
        const body = await c.req.parseBody({ all: true });
        const files = [body.files].flat().filter((x): x is File => x instanceof File);
        const f = await folder();
        let added = 0;
        let skipped = 0;
        for (const file of files) {
          const hash = new Bun.CryptoHasher("sha256").update(new Uint8Array(await file.arrayBuffer())).digest(
            "hex",
          );
          const have = await stored([hash]);
          if (have.size) {
            skipped++;
            continue;
          }
          await core.store.putStream(f.id, await ops.freeName(f.id, file.name, ""), file.stream(), {
            mtime: file.lastModified || Date.now(),
            type: file.type || undefined,
          });
          added++;
        }
        return redirectWith(c, "/camera", {
          ok: `${added} added to ${f.name}${skipped ? `, ${skipped} already there` : ""}`,
        });
      });
      return app;
    },
  };
}

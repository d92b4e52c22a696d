/**
 * Browse: a plain list of the items in a folder, with breadcrumbs, downloads and delete. A
 * plugin like any other feature, so the file manager can replace it through the plugin interface.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Plugin, PluginContext, ShellEnv } from "../plugins/mod.ts";
import { type Item, ROOT_ID } from "../store/mod.ts";
import { formatBytes, formatTime } from "../web/format.ts";
import { render, type ShellInfo } from "../web/render.tsx";
import { Icon } from "../web/icons.tsx";

export function browsePlugin(shell: () => ShellInfo): Plugin {
  return {
    id: "browse",
    nav: [{ label: "Browse", path: "/browse", order: 10 }],
    routes(app, ctx) {
      const folderPage = async (c: Context<ShellEnv>, id: string) => {
        const folder = await ctx.requireAccess(c, id, "read");
        if (folder.kind !== "folder") return c.redirect(`/files/${folder.id}`, 303);
        const [chain, children] = await Promise.all([
          ctx.store.items.ancestry(id),
          ctx.store.items.children(id),
        ]);
        const visible = [];
        for (const item of children) {
          if (await ctx.permissions.can(c.get("viewer"), item.id, "read")) visible.push(item);
        }
        return render(c, shell(), {
          title: folder.id === ROOT_ID ? "Browse" : folder.name,
          body: <FolderView ctx={ctx} chain={chain} items={visible} />,
        });
      };
      app.get("/browse", (c) => folderPage(c, ROOT_ID));
      app.get("/browse/:id", (c) => folderPage(c, c.req.param("id")));
      app.get("/files/:id", async (c) => {
        const item = await ctx.requireAccess(c, c.req.param("id"), "read");
        if (item.kind !== "file" || !item.blobHash) throw new HTTPException(404, { message: "Not a file" });
        const disposition = c.req.query("download") === "1" ? "attachment" : "inline";
        return new Response(Bun.file(ctx.store.blobs.pathOf(item.blobHash)), {
          headers: {
            "content-type": item.type,
            "content-length": String(item.size),
            "content-disposition": `${disposition}; filename*=UTF-8''${encodeURIComponent(item.name)}`,
            "x-content-type-options": "nosniff",
            "content-security-policy": "sandbox",
            "cache-control": "private, max-age=0",
          },
        });
      });
      app.post("/browse/:id/delete", async (c) => {
        const item = await ctx.requireAccess(c, c.req.param("id"), "write");
        if (item.id === ROOT_ID) {
          throw new HTTPException(400, { message: "The top folder cannot be deleted" });
        }
        await ctx.store.delete(item.id);
        return c.redirect(
          item.parentId && item.parentId !== ROOT_ID ? `/browse/${item.parentId}` : "/browse",
          303,
        );
      });
    },
  };
}

function FolderView({ ctx, chain, items }: { ctx: PluginContext; chain: Item[]; items: Item[] }) {
  const here = chain.at(-1)!;
  return (
    <section class="card">
      <nav class="crumbs" aria-label="Folder path">
        {chain.map((f, i) => (
          <>
            {i > 0 ? <span aria-hidden="true">›</span> : ""}
            {i === chain.length - 1
              ? <strong aria-current="page">{f.id === ROOT_ID ? "Home" : f.name}</strong>
              : (
                <a href={f.id === ROOT_ID ? "/browse" : `/browse/${f.id}`}>
                  {f.id === ROOT_ID ? "Home" : f.name}
                </a>
              )}
          </>
        ))}
      </nav>
      <h1>{here.id === ROOT_ID ? "Your files" : here.name}</h1>
      {items.length === 0
        ? (
          <p class="empty">
            <span class="big">
              <Icon name="empty" size="2.5rem" />
            </span>
            Nothing here yet. <a href="/add">Add a folder</a> from this computer.
          </p>
        )
        : (
          <ul class="items" aria-label="Items">
            {items.map((item) => {
              const t = ctx.typeOf(item);
              const href = item.kind === "folder" ? `/browse/${item.id}` : `/files/${item.id}`;
              return (
                <li>
                  <span class="icon" title={t.label}>
                    <Icon name={t.icon} />
                  </span>
                  <span class="name">
                    <a href={href} {...(item.kind === "file" ? { "hx-boost": "false" } : {})}>{item.name}</a>
                  </span>
                  <span class="meta">{item.kind === "folder" ? "Folder" : formatBytes(item.size)}</span>
                  <span class="meta when">{formatTime(item.mtime)}</span>
                </li>
              );
            })}
          </ul>
        )}
    </section>
  );
}

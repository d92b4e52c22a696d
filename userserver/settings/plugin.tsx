/**
 * The Settings tab, a plugin: what is safe to edit live (import roots), read-only facts about this
 * server, and the section every other plugin contributes (`Plugin.settings`).
 */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { HTTPException } from "hono/http-exception";
import { CONFIG_VERSION } from "../config/schema.ts";
import type { Core } from "../core/mod.ts";
import type { Plugin, SettingsSection, ShellContext, ShellEnv } from "../plugins/mod.ts";
import { checkImportRoots, freeSpace } from "../store/mod.ts";
import { formatBytes } from "../web/format.ts";
import { render } from "../web/render.tsx";

export interface SettingsFacts {
  publicOrigin: string;
  localOrigin: string;
  tunnels: () => { relayId: string }[];
  /** Why relays refuse this server, when the cloud's operator suspended or deregistered it. */
  refusal?: () => { message: string; at: number } | undefined;
}

/** `sections` gives the other plugins' sections (read per request: the list is complete by then). */
export function settingsPlugin(facts: SettingsFacts, sections: () => SettingsSection[]): Plugin {
  return {
    id: "settings",
    nav: [{ label: "Settings", path: "/settings", order: 1000 }],
    app: (core) => settingsApp(core, facts, sections),
  };
}

function settingsApp(ctx: Core, facts: SettingsFacts, sections: () => SettingsSection[]) {
  const app = new Hono<ShellEnv>();
  const page = async (
    c: ShellContext,
    edit: { error?: string; draft?: string; saved?: boolean } = {},
    status?: 400,
  ) => {
    const extra = await Promise.all(sections().map(async (s) => ({ ...s, body: await s.render(ctx) })));
    return render(c, c.var.shell, {
      title: "Settings",
      status,
      body: (
        <SettingsPage
          ctx={ctx}
          facts={facts}
          local={c.var.shell.listener === "local"}
          edit={edit}
          counts={await ctx.store.items.counts()}
          sections={extra}
        />
      ),
    });
  };
  app.get("/settings", (c) => page(c));
  // Import roots decide what of this computer a session may read, so they are set only on the
  // local listener (a local session, userserver/local), never through a relay (§5.3).
  app.post("/settings", async (c) => {
    if (c.var.shell.listener !== "local") throw new HTTPException(403, { message: ROOTS_LOCAL_ONLY });
    const form = await c.req.parseBody();
    const draft = String(form.importRoots ?? "");
    const roots = draft.split("\n").map((r) => r.trim()).filter(Boolean);
    try {
      ctx.config.update({ importRoots: checkImportRoots(ctx.store.paths, roots) });
    } catch (e) {
      return await page(c, { error: (e as Error).message, draft }, 400);
    }
    return await page(c, { saved: true });
  });
  return app;
}

export const ROOTS_LOCAL_ONLY =
  "Import folders can be changed only on this computer (the local address), never through a relay, " +
  "so a remote session cannot widen what it may read";

function SettingsPage(
  { ctx, facts, counts, sections, local, edit }: {
    ctx: Core;
    /** On the local listener: the import folders can be changed here. */
    local: boolean;
    edit: { error?: string; draft?: string; saved?: boolean };
    sections: Array<{ id: string; title: string; body: Child }>;
    facts: SettingsFacts;
    counts: { items: number; blobs: number; bytes: number };
  },
) {
  const cfg = ctx.config.current;
  // Roots a config from before the data-directory rule may still hold: listed, and why they grant nothing.
  const refused = cfg.importRoots.flatMap((root) => {
    try {
      ctx.store.paths.checkRoot(root);
      return [];
    } catch (e) {
      return [{ root, why: (e as Error).message }];
    }
  });
  const tunnels = facts.tunnels();
  const refusal = facts.refusal?.();
  return (
    <>
      <section class="card">
        <h1>Settings</h1>
        {local
          ? (
            <form method="post" action="/settings" class="field">
              <label for="importRoots">
                Import folders
                <span class="hint" id="importRootsHint">
                  "Add" can import only from inside these folders, one per line. They can be changed only
                  here, on this computer.
                </span>
              </label>
              <textarea
                id="importRoots"
                name="importRoots"
                rows={Math.max(3, cfg.importRoots.length + 1)}
                class="mono"
                aria-describedby="importRootsHint"
              >
                {edit.draft ?? cfg.importRoots.join("\n")}
              </textarea>
              {edit.error ? <p class="notice error" role="alert">{edit.error}</p> : ""}
              {edit.saved ? <p class="notice" role="status">Import folders saved.</p> : ""}
              {refused.map((r) => <p class="notice error" key={r.root}>{r.why}</p>)}
              <button type="submit">Save import folders</button>
            </form>
          )
          : (
            <div class="field">
              <label for="importRoots">
                Import folders
                <span class="hint" id="importRootsHint">
                  "Add" can import only from inside these folders. {ROOTS_LOCAL_ONLY}: {facts.localOrigin}.
                </span>
              </label>
              {/* Read-only and outside any form: nothing here can change them. */}
              <textarea
                id="importRoots"
                readonly
                rows={Math.max(2, cfg.importRoots.length)}
                class="mono"
                aria-describedby="importRootsHint"
              >
                {cfg.importRoots.join("\n")}
              </textarea>
              {refused.map((r) => <p class="notice error" key={r.root}>{r.why}</p>)}
            </div>
          )}
      </section>
      <section class="card">
        <h2>This server</h2>
        <dl class="info">
          <dt>Name</dt>
          <dd>{cfg.name}</dd>
          <dt>Address</dt>
          <dd>
            <a href={facts.publicOrigin} hx-boost="false">{facts.publicOrigin}</a>
          </dd>
          <dt>On this computer</dt>
          <dd class="mono">{facts.localOrigin}</dd>
          <dt>Relays</dt>
          <dd>{tunnels.length ? tunnels.map((t) => t.relayId).join(", ") : "none connected"}</dd>
          {refusal
            ? (
              <>
                <dt>Operator</dt>
                <dd class="notice error" role="alert" data-operator-refusal>
                  The cloud's operator stopped this server:{" "}
                  {refusal.message}. Relays refuse its tunnels, so it is reachable only on this computer. Your
                  IdCloud account page shows who did it and why.
                </dd>
              </>
            )
            : ""}
          <dt>Stored</dt>
          <dd>
            {counts.items} items, {counts.blobs} distinct files, {formatBytes(counts.bytes)}
          </dd>
          <dt>Free space</dt>
          <dd data-figure="free-space">{freeSpaceLine(cfg.dataDir)}</dd>
          <dt>Data folder</dt>
          <dd class="mono">{cfg.dataDir}</dd>
          <dt>Config</dt>
          <dd class="mono">
            {cfg.configFile} (version {CONFIG_VERSION})
          </dd>
        </dl>
      </section>
      {sections.map((s) => (
        <section class="card" id={`settings-${s.id}`}>
          <h2>{s.title}</h2>
          {s.body}
        </section>
      ))}
    </>
  );
}

/** "12.3 GB free of 100 GB" for the data directory's filesystem. */
function freeSpaceLine(dataDir: string): string {
  try {
    const { free, total } = freeSpace(dataDir);
    return `${formatBytes(free)} free of ${formatBytes(total)}`;
  } catch (e) {
    return `unknown (${(e as Error).message})`;
  }
}

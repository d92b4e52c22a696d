/**
 * The Settings tab, a plugin: what is safe to edit live (import roots), read-only facts about this
 * server, and the section every other plugin contributes (`Plugin.settings`).
 */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { ConfigError } from "../config/mod.ts";
import { CONFIG_VERSION } from "../config/schema.ts";
import type { Core } from "../core/mod.ts";
import type { Plugin, SettingsSection, ShellContext, ShellEnv } from "../plugins/mod.ts";
import { isDirectory } from "../add/plugin.tsx";
import { formatBytes } from "../web/format.ts";
import { render } from "../web/render.tsx";

export interface SettingsFacts {
  publicOrigin: string;
  localOrigin: string;
  tunnels: () => { relayId: string }[];
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
  const page = async (c: ShellContext, opts: { error?: string; saved?: boolean; draft?: string } = {}) => {
    const extra = await Promise.all(sections().map(async (s) => ({ ...s, body: await s.render(ctx) })));
    return render(c, c.var.shell, {
      title: "Settings",
      status: opts.error ? 400 : 200,
      body: (
        <SettingsPage
          ctx={ctx}
          facts={facts}
          counts={await ctx.store.items.counts()}
          sections={extra}
          {...opts}
        />
      ),
    });
  };
  app.get("/settings", (c) => page(c, { saved: c.req.query("saved") === "1" }));
  app.post("/settings", async (c) => {
    const form = await c.req.parseBody();
    const draft = String(form.importRoots ?? "");
    const roots = draft.split("\n").map((s) => s.trim()).filter(Boolean);
    const bad = roots.find((r) => !r.startsWith("/"));
    if (bad) return page(c, { error: `Import folder "${bad}" must be an absolute path`, draft });
    const missing = roots.find((r) => !isDirectory(r));
    if (missing) {
      return page(c, { error: `Import folder "${missing}" is not a folder on this computer`, draft });
    }
    try {
      ctx.config.update({ importRoots: [...new Set(roots)] });
    } catch (e) {
      if (e instanceof ConfigError) return page(c, { error: e.message, draft });
      throw e;
    }
    void ctx.signals.emit("config.changed", { keys: ["importRoots"] });
    return c.redirect("/settings?saved=1", 303);
  });
  return app;
}

function SettingsPage(
  { ctx, facts, counts, sections, error, saved, draft }: {
    ctx: Core;
    sections: Array<{ id: string; title: string; body: Child }>;
    facts: SettingsFacts;
    counts: { items: number; blobs: number; bytes: number };
    error?: string;
    saved?: boolean;
    draft?: string;
  },
) {
  const cfg = ctx.config.current;
  const tunnels = facts.tunnels();
  return (
    <>
      <section class="card">
        <h1>Settings</h1>
        <p class="lead">Changes here apply at once; no restart needed.</p>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {saved && !error ? <p class="notice ok" role="status">Settings saved.</p> : ""}
        <form method="post" action="/settings">
          <div class="field">
            <label for="importRoots">
              Import folders
              <span class="hint">
                One absolute path per line. "Add" can import only from inside these folders, so a remote
                session cannot read the rest of this computer.
              </span>
            </label>
            <textarea id="importRoots" name="importRoots" rows={4} spellcheck={false} class="mono">
              {draft ?? cfg.importRoots.join("\n")}
            </textarea>
          </div>
          <button type="submit">Save</button>
        </form>
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
          <dt>Stored</dt>
          <dd>
            {counts.items} items, {counts.blobs} distinct files, {formatBytes(counts.bytes)}
          </dd>
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

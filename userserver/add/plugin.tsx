/**
 * Add: import a directory from under the import roots (Settings). Pick a folder, start, watch
 * progress live (files, bytes, ETA) over SSE, cancel, and read what was skipped and why.
 * Without JavaScript the forms still post and the job page refreshes itself.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import { Hono } from "hono";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellApp, ShellEnv } from "../plugins/mod.ts";
import { ImportPathError, isDataDir, isInside } from "../store/mod.ts";
import { formatBytes, formatDuration, formatTime } from "../web/format.ts";
import { render } from "../web/render.tsx";
import { Icon } from "../web/icons.tsx";
import type { Importer, Job, Skipped } from "./jobs.ts";

const ACTIVE = new Set(["scanning", "running"]);

export function addPlugin(importer: Importer): Plugin {
  return {
    id: "add",
    nav: [{ label: "Add", path: "/add", order: 20 }],
    start: () => importer.start(),
    stop: () => importer.stop(),
    app: (core) => addApp(core, importer),
  };
}

function addApp(ctx: Core, importer: Importer): ShellApp {
  const app = new Hono<ShellEnv>();
  app.get("/add", async (c) => {
    const roots = ctx.config.current.importRoots;
    const dir = c.req.query("dir");
    let listing: { path: string; dirs: string[] } | undefined;
    let error: string | undefined;
    if (dir) {
      try {
        const real = ctx.store.paths.resolveImportDir(roots, dir);
        listing = { path: real, dirs: subdirectories(real) };
      } catch (e) {
        if (!(e instanceof ImportPathError)) throw e;
        error = e.message;
      }
    }
    const jobs = await importer.list(10);
    return render(c, c.var.shell, {
      title: "Add",
      status: error ? 400 : 200,
      body: <AddPage roots={roots} listing={listing} error={error} jobs={jobs} />,
    });
  });

  app.post("/add", async (c) => {
    const form = await c.req.parseBody();
    const path = String(form.path ?? "").trim();
    try {
      const job = await importer.begin(path);
      return c.redirect(`/add/jobs/${job.id}`, 303);
    } catch (e) {
      if (!(e instanceof ImportPathError)) throw e;
      return render(c, c.var.shell, {
        title: "Add",
        status: 400,
        body: (
          <AddPage
            roots={ctx.config.current.importRoots}
            error={e.message}
            jobs={await importer.list(10)}
          />
        ),
      });
    }
  });

  app.get("/add/jobs/:id", async (c) => {
    const job = await importer.get(c.req.param("id"));
    if (!job) throw new HTTPException(404, { message: "No such import" });
    return render(c, c.var.shell, {
      title: `Import of ${baseName(job.source)}`,
      head: ACTIVE.has(job.status)
        ? (
          <noscript>
            <meta http-equiv="refresh" content="2" />
          </noscript>
        )
        : undefined,
      body: <JobPanel job={job} now={Date.now()} live={ACTIVE.has(job.status)} />,
    });
  });

  // Live progress: each message is the panel's new content; `done` closes the stream.
  app.get("/add/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    if (!(await importer.get(id))) throw new HTTPException(404, { message: "No such import" });
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      const off = ctx.signals.on("import.progress", (p) => {
        if (p.id === id) wake();
      });
      const offDone = ctx.signals.on("import.finished", (p) => {
        if (p.id === id) wake();
      });
      stream.onAbort(() => wake());
      try {
        while (!stream.aborted) {
          const job = await importer.get(id);
          if (!job) break;
          const html = (<JobBody job={job} now={Date.now()} />).toString();
          await stream.writeSSE({ data: await html });
          if (!ACTIVE.has(job.status) && !importer.isRunning(id)) {
            await stream.writeSSE({ event: "done", data: job.status });
            break;
          }
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 5_000); // a heartbeat, also catches a missed signal
          });
        }
      } finally {
        off();
        offDone();
      }
    });
  });

  app.post("/add/jobs/:id/cancel", (c) => {
    importer.cancel(c.req.param("id"));
    return c.redirect(`/add/jobs/${c.req.param("id")}`, 303);
  });

  app.post("/add/jobs/:id/rerun", async (c) => {
    try {
      const job = await importer.rerun(c.req.param("id"));
      return c.redirect(`/add/jobs/${job.id}`, 303);
    } catch (e) {
      if (e instanceof ImportPathError) throw new HTTPException(400, { message: e.message });
      throw e;
    }
  });
  return app;
}

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith(".") && !isDataDir(join(dir, d.name)))
    .map((d) => d.name)
    .sort((a, b) => a.localeCompare(b))
    .slice(0, 200);
}

function AddPage(
  { roots, listing, error, jobs }: {
    roots: string[];
    listing?: { path: string; dirs: string[] };
    error?: string;
    jobs: Job[];
  },
) {
  const parent = listing && roots.some((r) => isInside(r, join(listing.path, "..")) && listing.path !== r)
    ? join(listing.path, "..")
    : undefined;
  return (
    <>
      <section class="card">
        <h1>Add files</h1>
        <p class="lead">
          Import a folder from this computer. Files are copied into Hearth; identical files are stored once.
        </p>
        {error ? <p class="notice error" role="alert">{error}</p> : ""}
        {roots.length === 0
          ? (
            <p class="notice">
              No import folders are set up yet. Add one in <a href="/settings">Settings</a>.
            </p>
          )
          : (
            <>
              <form method="post" action="/add" class="field">
                <label for="path">
                  Folder to import
                  <span class="hint">A folder inside one of: {roots.join(", ")}</span>
                </label>
                <div class="row">
                  <input
                    type="text"
                    id="path"
                    name="path"
                    required
                    value={listing?.path ?? ""}
                    placeholder={roots[0]}
                    autocomplete="off"
                    style="flex:1;min-width:12rem"
                  />
                  <button type="submit">Import</button>
                </div>
              </form>
              <h2>{listing ? `Folders in ${listing.path}` : "Import folders"}</h2>
              <ul class="dirs" aria-label="Folders">
                {parent
                  ? (
                    <li>
                      <a href={`/add?dir=${encodeURIComponent(parent)}`}>
                        <Icon name="up" /> Up
                      </a>
                    </li>
                  )
                  : ""}
                {(listing ? listing.dirs.map((d) => join(listing.path, d)) : roots).map((p) => (
                  <li>
                    <a href={`/add?dir=${encodeURIComponent(p)}`}>
                      <Icon name="folder" /> {listing ? baseName(p) : p}
                    </a>
                    <form method="post" action="/add">
                      <input type="hidden" name="path" value={p} />
                      <button type="submit" class="secondary small" aria-label={`Import ${p}`}>Import</button>
                    </form>
                  </li>
                ))}
                {listing && listing.dirs.length === 0 ? <li class="muted">No folders inside.</li> : ""}
              </ul>
            </>
          )}
      </section>
      {jobs.length
        ? (
          <section class="card">
            <h2>Recent imports</h2>
            <table>
              <thead>
                <tr>
                  <th>Folder</th>
                  <th>Status</th>
                  <th>Files</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr>
                    <td>
                      <a href={`/add/jobs/${j.id}`}>{baseName(j.source)}</a>
                    </td>
                    <td>
                      <StatusBadge status={j.status} />
                    </td>
                    <td>{j.filesDone}</td>
                    <td class="muted">{formatTime(j.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )
        : ""}
    </>
  );
}

function JobPanel({ job, now, live }: { job: Job; now: number; live: boolean }) {
  return (
    <section
      class="card"
      id="job"
      aria-live="polite"
      {...(live
        ? { "hx-sse:connect": `/add/jobs/${job.id}/events`, "hx-sse:close": "done", "hx-swap": "innerHTML" }
        : {})}
    >
      <JobBody job={job} now={now} />
    </section>
  );
}

export function JobBody({ job, now }: { job: Job; now: number }) {
  const skipped = JSON.parse(job.skipped) as Skipped[];
  const active = ACTIVE.has(job.status);
  const elapsed = (job.finishedAt ?? now) - job.startedAt;
  const rate = elapsed > 0 ? job.bytesDone / elapsed : 0;
  const eta = active && rate > 0 && job.bytesTotal > job.bytesDone
    ? (job.bytesTotal - job.bytesDone) / rate
    : undefined;
  const pct = job.bytesTotal > 0
    ? Math.floor((job.bytesDone / job.bytesTotal) * 100)
    : job.status === "done"
    ? 100
    : 0;
  return (
    <div data-status={job.status}>
      <div class="row between">
        <h1>Import of {baseName(job.source)}</h1>
        <StatusBadge status={job.status} />
      </div>
      <p class="muted small mono">{job.source}</p>
      <progress max="100" value={String(pct)} aria-label="Import progress">{pct}%</progress>
      <div class="figures">
        <div>
          <b data-figure="files">{job.filesDone} / {job.filesTotal}</b>
          <span>files</span>
        </div>
        <div>
          <b>{formatBytes(job.bytesDone)} / {formatBytes(job.bytesTotal)}</b>
          <span>copied</span>
        </div>
        <div>
          <b>{eta !== undefined ? formatDuration(eta) : active ? "…" : formatDuration(elapsed)}</b>
          <span>{eta !== undefined || active ? "remaining" : "took"}</span>
        </div>
        <div>
          <b>{job.filesDeduped}</b>
          <span>already stored</span>
        </div>
      </div>
      {job.error ? <p class="notice error">{job.error}</p> : ""}
      {job.status === "interrupted"
        ? (
          <p class="notice">
            The server stopped during this import. Run it again to finish: files already imported are not
            copied twice.
          </p>
        )
        : ""}
      <div class="row">
        {active
          ? (
            <form method="post" action={`/add/jobs/${job.id}/cancel`}>
              <button type="submit" class="danger">Cancel import</button>
            </form>
          )
          : (
            <>
              <a class="button" href={`/browse/${job.targetId}`}>Open folder</a>
              <form method="post" action={`/add/jobs/${job.id}/rerun`}>
                <button type="submit" class="secondary">
                  {job.status === "done" ? "Import again" : "Resume"}
                </button>
              </form>
            </>
          )}
      </div>
      {skipped.length
        ? (
          <details open={!active} style="margin-top:1rem">
            <summary>
              {skipped.length} skipped
            </summary>
            <table class="skipped">
              <thead>
                <tr>
                  <th>Path</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {skipped.map((s) => (
                  <tr>
                    <td class="mono">{s.path}</td>
                    <td>{s.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        )
        : ""}
    </div>
  );
}

function StatusBadge({ status }: { status: Job["status"] }) {
  const label: Record<Job["status"], string> = {
    scanning: "Scanning…",
    running: "Importing…",
    done: "Done",
    cancelled: "Cancelled",
    failed: "Failed",
    interrupted: "Interrupted",
  };
  return <span class={`badge${status === "done" ? " ok" : ""}`} data-status={status}>{label[status]}</span>;
}

function baseName(p: string): string {
  return p.split("/").filter(Boolean).at(-1) ?? p;
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

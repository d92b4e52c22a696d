/**
 * The file manager's stylesheet and its one script (served at `/files-ui/`, behind the owner
 * check). The script is progressive: without it every action is a form that posts. With it:
 * drag-and-drop and multi-file uploads over tus with per-file progress that resume after a
 * dropped connection (and after a reload, via localStorage), selection, Move/Copy dialogs,
 * live filtering and keyboard shortcuts. Events are delegated from `document`, so it survives
 * htmx swapping the page body; a guard makes loading it twice harmless.
 */
export const FILES_CSS = `
main.shell:has(.files) { max-width: 72rem; }
.fm-places { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem; margin-bottom: 1rem; }
.fm-places a { display: inline-flex; align-items: center; gap: .4rem; color: var(--muted); text-decoration: none;
  padding: .4rem .75rem; border-radius: 999px; font-weight: 600; font-size: .92rem; }
.fm-places a:hover { background: var(--surface); color: var(--text); }
.fm-places a[aria-current="page"] { background: var(--accent-soft); color: var(--accent-strong); }
.fm-usage { margin-left: auto; color: var(--muted); font-size: .85rem; }
.fm-help-open { display: inline-flex; align-items: center; gap: .35rem; font-size: .85rem; color: var(--muted); }
.files { position: relative; }
.fm-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .75rem; margin-bottom: .75rem; }
.fm-head h1 { margin: 0; overflow-wrap: anywhere; }
.fm-tools { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.fm-tools form { margin: 0; display: flex; gap: .4rem; align-items: center; }
.fm-tools label.button { margin: 0; font-size: .85rem; padding: .35rem .7rem; }
.fm-mkdir input { width: 10rem; padding: .35rem .6rem; font-size: .9rem; }
.fm-bar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 0 .75rem; }
.fm-bar input[type=text] { flex: 1 1 14rem; width: auto; padding: .45rem .7rem; }
.fm-bar select { width: auto; padding: .45rem .6rem; }
.fm-views { display: inline-flex; border: 1px solid var(--border); border-radius: 10px; overflow: hidden; }
.fm-views a { display: inline-grid; place-items: center; width: 2.3rem; height: 2.2rem; color: var(--muted); }
.fm-views a[aria-current="true"] { background: var(--accent-soft); color: var(--accent-strong); }
.fm-selbar { display: none; position: sticky; top: 4.2rem; z-index: 3; gap: .5rem; align-items: center; flex-wrap: wrap;
  background: var(--accent-soft); border-radius: 10px; padding: .45rem .6rem; margin-bottom: .6rem; }
.fm-selbar.on { display: flex; }
.fm-selcount { font-weight: 600; margin-right: auto; }
.fm-count { color: var(--text); font-size: .9rem; margin: 0 0 .4rem; }
.fm-colheads { display: grid; grid-template-columns: 1.4rem 2rem 1fr 8rem 10rem 2rem; gap: .75rem; padding: .2rem .4rem;
  font-size: .78rem; text-transform: uppercase; letter-spacing: .04em; border-bottom: 1px solid var(--border); }
.fm-colheads a { color: var(--muted); text-decoration: none; font-weight: 600; }
.fm-colheads a[aria-sort] { color: var(--accent-strong); }
.files .items li { grid-template-columns: 1.4rem 2rem 1fr 8rem 10rem 2rem; }
.files .items li:hover, .files .items li:focus-within { background: var(--bg); }
.files .items li:has(.fm-check:checked) { background: var(--accent-soft); }
.files .items .icon { position: relative; width: 2rem; height: 2rem; }
.files .items .icon.folder { color: var(--accent); }
.fm-list .fm-thumb { position: absolute; inset: 0; width: 2rem; height: 2rem; object-fit: cover; border-radius: 6px; }
.fm-thumb + .fm-glyph { visibility: hidden; }
.files .meta.size { text-align: right; }
.fm-rowacts { display: flex; gap: .35rem; justify-content: flex-end; }
.fm-rowacts a { color: var(--muted); }
.fm-rowacts form { margin: 0; }
.fm-star { color: var(--accent); margin-left: .35rem; font-size: .9em; }
.fm-check { width: 1.05rem; height: 1.05rem; accent-color: var(--accent); margin: 0; }
.fm-icons .items { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .75rem; }
.fm-icons .items li { display: flex; flex-direction: column; align-items: stretch; position: relative; gap: .35rem;
  border: 1px solid var(--border); border-radius: 12px; padding: .5rem; }
.fm-icons .items li:last-child { border-bottom: 1px solid var(--border); }
.fm-icons .items .icon { width: 100%; height: auto; aspect-ratio: 1; display: grid; place-items: center;
  background: var(--bg); border-radius: 8px; overflow: hidden; }
.fm-icons .fm-thumb { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
.fm-icons .fm-check { position: absolute; top: .8rem; left: .8rem; z-index: 1; }
.fm-icons .name { font-size: .88rem; text-align: center; }
.fm-icons .meta, .fm-icons .meta.size { text-align: center; }
.fm-uploads[hidden] { display: none; }
.fm-icons .meta.when, .fm-icons .fm-rowacts { display: none; }
.fm-pager { display: flex; justify-content: space-between; align-items: center; gap: .75rem; margin-top: 1rem; flex-wrap: wrap; }
.fm-pager a:not(.button) { margin: 0 .2rem; }
.fm-pager strong { margin: 0 .2rem; }
.fm-dropmark { display: none; position: absolute; inset: 0; border: 3px dashed var(--accent); border-radius: var(--radius);
  background: color-mix(in srgb, var(--accent-soft) 85%, transparent); place-items: center; font-weight: 700;
  font-size: 1.2rem; color: var(--accent-strong); z-index: 4; pointer-events: none; }
.files.fm-dragging .fm-dropmark { display: grid; }
.fm-uploads { margin-top: 1rem; border-top: 1px solid var(--border); padding-top: .75rem; display: grid; gap: .5rem; }
.fm-up { display: grid; grid-template-columns: 1fr 10rem 4.5rem; gap: .75rem; align-items: center; font-size: .9rem; }
.fm-up .n { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fm-up .p { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
.fm-up[data-state="done"] .p { color: var(--ok); }
.fm-up[data-state="error"] .p { color: var(--danger); }
.fm-viewer { margin-top: 1rem; }
.fm-viewer img, .fm-viewer video { max-width: 100%; max-height: 75vh; display: block; margin: 0 auto; border-radius: 8px; }
.fm-viewer audio { width: 100%; }
.fm-viewer iframe { width: 100%; height: 78vh; border: 1px solid var(--border); border-radius: 8px; background: #fff; }
.fm-code { counter-reset: ln; background: var(--bg); border: 1px solid var(--border); border-radius: 8px; padding: .75rem 0;
  overflow: auto; max-height: 75vh; font-size: .85rem; line-height: 1.5; margin: 0; }
.fm-code .ln { display: block; padding: 0 1rem 0 0; white-space: pre; }
.fm-code .ln::before { counter-increment: ln; content: counter(ln); display: inline-block; width: 3.5rem; padding-right: 1rem;
  margin-right: .75rem; text-align: right; color: var(--muted); border-right: 1px solid var(--border); user-select: none; }
.fm-rename { margin: .5rem 0 0; max-width: 32rem; }
.fm-rename .row input { flex: 1; width: auto; }
.fm-editor textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .88rem; min-height: 60vh;
  margin-bottom: .75rem; }
.fm-dialog { border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); color: var(--text);
  box-shadow: var(--shadow); padding: 1.25rem; width: min(34rem, 92vw); }
.fm-dialog::backdrop { background: rgb(0 0 0 / .35); }
.fm-dialog select { margin-bottom: 1rem; }
.fm-dialog td { padding: .35rem .4rem; }
kbd { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .82rem; background: var(--bg);
  border: 1px solid var(--border); border-bottom-width: 2px; border-radius: 6px; padding: .05rem .4rem; }
.fm-trash li { grid-template-columns: 2rem 1fr auto auto auto !important; }
@media (max-width: 720px) {
  .files .items li, .fm-colheads { grid-template-columns: 1.4rem 2rem 1fr 5.5rem; }
  .files .items .meta.when, .fm-colheads > :nth-child(5), .files .fm-rowacts, .fm-colheads > :nth-child(6) { display: none; }
  .fm-icons .items { grid-template-columns: repeat(auto-fill, minmax(7rem, 1fr)); }
  .fm-up { grid-template-columns: 1fr 5rem 3.5rem; }
  .fm-mkdir input { width: 7.5rem; }
  .fm-usage { display: none; }
}
`;

export const FILES_JS = String.raw`(() => {
if (window.__hearthFiles) return;
window.__hearthFiles = true;
const CHUNK = 32 * 1024 * 1024;
const PARALLEL = 3;
const $ = (s, r = document) => r.querySelector(s);
const $$ = (s, r = document) => [...r.querySelectorAll(s)];
const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
const section = () => $("section.files[data-folder]");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64 = (s) => { const b = new TextEncoder().encode(s); let t = ""; for (const x of b) t += String.fromCharCode(x); return btoa(t); };
const fmtBytes = (n) => { if (n < 1024) return n + " B"; const u = ["KB","MB","GB","TB"]; let v = n / 1024, i = 0; while (v >= 1024 && i < 3) { v /= 1024; i++; } return (v < 10 ? v.toFixed(1) : Math.round(v)) + " " + u[i]; };

// ---------- selection ----------
function checks() { return $$("#listing .fm-check"); }
function selected() { return checks().filter((c) => c.checked); }
function syncSel() {
  const bar = $("[data-fm-selbar]"); if (!bar) return;
  const n = selected().length;
  bar.classList.toggle("on", n > 0);
  const c = $("[data-fm-selcount]", bar); if (c) c.textContent = n + (n === 1 ? " selected" : " selected");
}
document.addEventListener("change", (e) => {
  if (e.target.classList?.contains("fm-check")) syncSel();
  if (e.target.matches?.("[data-fm-autosubmit]")) refreshListing(e.target.form);
  if (e.target.matches?.("[data-fm-input]")) { upload([...e.target.files]); e.target.value = ""; }
});
function submitSel(action, extra = {}) {
  const form = $("#fm-sel"); if (!form) return;
  form.action = action;
  for (const [k, v] of Object.entries(extra)) { const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; form.append(i); }
  form.requestSubmit();
}

// ---------- dialogs: move/copy picker, rename, help ----------
async function picker(action) {
  const ids = selected().map((c) => c.value); if (!ids.length) return;
  const back = $("#fm-sel input[name=back]")?.value || location.pathname;
  const qs = new URLSearchParams({ action, back }); for (const id of ids) qs.append("ids", id);
  const res = await fetch("/files-ui/picker?" + qs);
  const dlg = $("#fm-dialog"); dlg.innerHTML = await res.text(); dlg.showModal();
  $("select", dlg)?.focus();
}
document.addEventListener("click", (e) => {
  const t = e.target.closest?.("[data-fm-move],[data-fm-copy],[data-fm-close],[data-fm-help]");
  if (!t) return;
  if (t.matches("[data-fm-move]")) picker("move");
  else if (t.matches("[data-fm-copy]")) picker("copy");
  else if (t.matches("[data-fm-close]")) t.closest("dialog")?.close();
  else if (t.matches("[data-fm-help]")) $("#fm-help")?.showModal();
});
document.addEventListener("submit", (e) => {
  const msg = e.target.dataset?.fmConfirm;
  if (msg && !confirm(msg)) e.preventDefault();
});
function ask(title, value, action) {
  const dlg = $("#fm-dialog"); if (!dlg) return;
  dlg.innerHTML = "";
  const f = document.createElement("form"); f.method = "post"; f.action = action;
  const l = document.createElement("label"); l.textContent = title; l.htmlFor = "fm-ask";
  const i = document.createElement("input"); i.type = "text"; i.name = "name"; i.id = "fm-ask"; i.required = true; i.value = value;
  const back = document.createElement("input"); back.type = "hidden"; back.name = "back"; back.value = location.pathname + location.search;
  const row = document.createElement("div"); row.className = "row";
  const ok = document.createElement("button"); ok.type = "submit"; ok.textContent = "Save";
  const no = document.createElement("button"); no.type = "button"; no.className = "secondary"; no.dataset.fmClose = ""; no.textContent = "Cancel";
  row.append(ok, no); f.append(l, i, back, row); dlg.append(f); dlg.showModal();
  const dot = value.lastIndexOf("."); i.focus(); i.setSelectionRange(0, dot > 0 ? dot : value.length);
}

// ---------- live filter and sort ----------
let filterTimer;
document.addEventListener("input", (e) => {
  if (e.target.id !== "fm-q") return;
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => refreshListing(e.target.form), 180);
});
document.addEventListener("submit", (e) => {
  if (!e.target.matches?.("[data-fm-filter]")) return;
  e.preventDefault(); refreshListing(e.target);
});
async function refreshListing(form) {
  const s = section(); if (!s) return;
  const qs = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams(location.search);
  for (const [k, v] of [...qs]) if (!v || (k === "sort" && v === "name" && qs.get("dir") !== "desc")) qs.delete(k);
  if (qs.get("sort") === null && qs.get("dir") === "asc") qs.delete("dir");
  const res = await fetch("/browse/" + s.dataset.folder + "/listing?" + qs, { headers: { "HX-Request": "true" } });
  if (!res.ok) return;
  const old = $("#listing"); if (!old) return;
  old.outerHTML = await res.text();
  const q = qs.toString();
  history.replaceState(history.state, "", location.pathname + (q ? "?" + q : ""));
  syncSel();
}

// ---------- uploads (tus, resumable) ----------
const TUS = { "Tus-Resumable": "1.0.0" };
function patch(url, blob, offset, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("PATCH", url);
    x.setRequestHeader("Tus-Resumable", "1.0.0");
    x.setRequestHeader("Upload-Offset", String(offset));
    x.setRequestHeader("Content-Type", "application/offset+octet-stream");
    x.upload.onprogress = (e) => onProgress(e.loaded);
    x.onload = () => x.status === 204 || x.status === 200 ? resolve(x) : reject(Object.assign(new Error(x.responseText || ("HTTP " + x.status)), { status: x.status }));
    x.onerror = () => reject(new Error("connection lost"));
    x.send(blob);
  });
}
async function offsetOf(url) {
  const r = await fetch(url, { method: "HEAD", headers: TUS, cache: "no-store" });
  if (!r.ok) return -1;
  return Number(r.headers.get("Upload-Offset"));
}
async function tusUpload(file, parent, progress) {
  const key = "hearth-tus:" + parent + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  let url = localStorage.getItem(key), offset = 0;
  if (url) { offset = await offsetOf(url).catch(() => -1); if (offset < 0) { url = null; offset = 0; } }
  if (!url) {
    const meta = [["filename", file.name], ["filetype", file.type || ""], ["parent", parent], ["mtime", String(file.lastModified || Date.now())]]
      .map(([k, v]) => k + " " + b64(v)).join(",");
    const r = await fetch("/upload/tus", { method: "POST", headers: { ...TUS, "Upload-Length": String(file.size), "Upload-Metadata": meta } });
    if (r.status !== 201) throw new Error((await r.text()) || ("HTTP " + r.status));
    url = r.headers.get("Location");
    if (file.size === 0) return;
    localStorage.setItem(key, url);
  }
  progress(offset);
  let failures = 0;
  while (offset < file.size) {
    try {
      const end = Math.min(file.size, offset + CHUNK);
      const x = await patch(url, file.slice(offset, end), offset, (n) => progress(offset + n));
      offset = Number(x.getResponseHeader("Upload-Offset"));
      failures = 0;
      progress(offset);
    } catch (e) {
      if (e.status && e.status < 500 && e.status !== 409) throw e;
      if (++failures > 10) throw e;
      await sleep(Math.min(15000, 500 * 2 ** failures) * Math.random());
      const o = await offsetOf(url).catch(() => -2);
      if (o === -1) { localStorage.removeItem(key); throw new Error("the server lost this upload; try again"); }
      if (o >= 0) offset = o;
    }
  }
  localStorage.removeItem(key);
}
async function upload(files) {
  const s = section(); if (!s || !files.length) return;
  const box = $("[data-fm-uploads]", s); box.hidden = false;
  const rows = files.map((f) => {
    const row = document.createElement("div"); row.className = "fm-up"; row.dataset.state = "queued";
    const n = document.createElement("span"); n.className = "n"; n.textContent = f.name; n.title = f.name;
    const bar = document.createElement("progress"); bar.max = Math.max(1, f.size); bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + f.name);
    const p = document.createElement("span"); p.className = "p"; p.textContent = "waiting";
    row.append(n, bar, p); box.append(row);
    return { f, row, bar, p };
  });
  const parent = s.dataset.folder;
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++];
      r.row.dataset.state = "uploading";
      try {
        await tusUpload(r.f, parent, (n) => { r.bar.value = n; r.p.textContent = Math.floor((100 * n) / Math.max(1, r.f.size)) + "%"; });
        r.bar.value = r.bar.max; r.p.textContent = "done"; r.row.dataset.state = "done";
      } catch (e) {
        r.row.dataset.state = "error"; r.p.textContent = "failed"; r.row.title = String(e.message || e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, rows.length) }, worker));
  box.dataset.done = "true";
  refreshListing($("[data-fm-filter]"));
}
let dragDepth = 0;
const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
document.addEventListener("dragenter", (e) => { if (!hasFiles(e) || !section()) return; dragDepth++; section().classList.add("fm-dragging"); });
document.addEventListener("dragleave", () => { if (--dragDepth <= 0) { dragDepth = 0; section()?.classList.remove("fm-dragging"); } });
document.addEventListener("dragover", (e) => { if (hasFiles(e) && section()) e.preventDefault(); });
document.addEventListener("drop", (e) => {
  if (!section() || !e.dataTransfer?.files?.length) return;
  e.preventDefault(); dragDepth = 0; section().classList.remove("fm-dragging");
  upload([...e.dataTransfer.files]);
});

// ---------- thumbnails: hide the glyph once loaded, drop a thumbnail that fails ----------
document.addEventListener("error", (e) => { if (e.target.classList?.contains("fm-thumb")) e.target.remove(); }, true);

// ---------- keyboard ----------
function rows() { return $$("#listing .items > li"); }
function current() { const a = document.activeElement?.closest?.("#listing .items > li"); return a ? rows().indexOf(a) : -1; }
function focusRow(i) { const r = rows(); if (!r.length) return; const row = r[Math.max(0, Math.min(r.length - 1, i))]; $(".fm-open", row)?.focus(); row.scrollIntoView({ block: "nearest" }); }
document.addEventListener("keydown", (e) => {
  if (e.key === "s" && (e.ctrlKey || e.metaKey) && $("[data-fm-editor]")) { e.preventDefault(); $("[data-fm-editor]").requestSubmit(); return; }
  if (typing(e.target)) { if (e.key === "Escape") e.target.blur(); return; }
  if (e.altKey || (e.metaKey && e.key !== "a") || $("dialog[open]")) return;
  const i = current();
  const row = i >= 0 ? rows()[i] : undefined;
  const k = e.key;
  const go = (a) => { if (a) { e.preventDefault(); a(); } };
  if ((k === "a" && (e.ctrlKey || e.metaKey))) return go(() => { for (const c of checks()) c.checked = true; syncSel(); });
  if (e.ctrlKey) return;
  switch (k) {
    case "/": return go(() => $("#fm-q")?.focus());
    case "j": case "ArrowDown": return go(() => focusRow(i + 1));
    case "k": case "ArrowUp": return go(() => focusRow(i < 0 ? 0 : i - 1));
    case "x": case " ": return row ? go(() => { const c = $(".fm-check", row); c.checked = !c.checked; syncSel(); }) : undefined;
    case "Escape": return go(() => { for (const c of checks()) c.checked = false; syncSel(); });
    case "Delete": {
      if (!selected().length && row) $(".fm-check", row).checked = true;
      return selected().length ? go(() => submitSel("/files/trash")) : undefined;
    }
    case "F2": return row ? go(() => { const a = $(".fm-open", row); ask("New name", a.textContent, "/browse/" + $(".fm-check", row).value + "/rename"); }) : undefined;
    case "m": case "c": {
      if (!selected().length && row) $(".fm-check", row).checked = true;
      return selected().length ? go(() => picker(k === "m" ? "move" : "copy")) : undefined;
    }
    case "s": {
      if (!selected().length && row) $(".fm-check", row).checked = true;
      return selected().length ? go(() => submitSel("/files/favorite", { on: "1" })) : undefined;
    }
    case "n": return go(() => $("#fm-new-name")?.focus());
    case "u": return go(() => $("[data-fm-input]")?.click());
    case "e": return go(() => { const a = $("a[aria-keyshortcuts=e]"); if (a) a.click(); });
    case "v": return go(() => $(".fm-views a:not([aria-current])")?.click());
    case "ArrowLeft": return go(() => $(".fm-pager a[rel=prev]")?.click());
    case "ArrowRight": return go(() => $(".fm-pager a[rel=next]")?.click());
    case "Backspace": { const up = $$(".crumbs a").at(-1); return up ? go(() => up.click()) : undefined; }
    case "?": return go(() => $("#fm-help")?.showModal());
  }
});
})();
`;

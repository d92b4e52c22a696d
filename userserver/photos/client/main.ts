/**
 * Photos' page script (served at /_static/photos.js): the timeline with its selection, an album's
 * photos, and the viewer on each. Runs on load and after htmx swaps a Photos page in.
 */
import { Timeline } from "./timeline.ts";
import { type PhotoInfo, Viewer, type ViewerSource } from "./viewer.ts";

function start(): void {
  const timeline = document.querySelector<HTMLElement>("[data-ph-timeline]:not([data-ph-ready])");
  if (timeline) startTimeline(timeline);
  const album = document.querySelector<HTMLElement>("[data-ph-album]:not([data-ph-ready])");
  if (album) startAlbum(album);
}

function viewerRoot(): HTMLElement | undefined {
  return document.querySelector<HTMLElement>("[data-ph-viewer]") ?? undefined;
}

function startTimeline(section: HTMLElement): void {
  section.dataset.phReady = "1";
  const root = viewerRoot();
  if (!root) return;
  const source: ViewerSource = {
    info: (id) => `/photos/api/photo/${id}`,
    preview: (id) => `/photos/p/${id}/preview`,
    original: (id) => `/files/${id}`,
    download: (id) => `/files/${id}?download=1`,
    taken: (id) => `/photos/p/${id}/taken`,
    // The server knows the order across every day, loaded or not.
    step: (_id, by, info?: PhotoInfo) => by < 0 ? info?.newer : info?.older,
  };
  const viewer = new Viewer(root, source);
  const bar = section.querySelector<HTMLFormElement>("[data-ph-selbar]")!;
  const count = bar.querySelector<HTMLElement>("[data-ph-selcount]")!;
  const selectButton = section.querySelector<HTMLButtonElement>("[data-ph-select]")!;
  // The form carries the selection as hidden inputs at all times (not added at submit: htmx may
  // read the form before a submit listener of ours runs).
  const syncIds = () => {
    for (const old of bar.querySelectorAll("input[name=ids]")) old.remove();
    for (const id of timeline.selected) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "ids";
      input.value = id;
      bar.append(input);
    }
  };
  const timeline = new Timeline(
    section.querySelector<HTMLElement>("[data-ph-scroller]")!,
    section.querySelector<HTMLElement>("[data-ph-scrubber]")!,
    viewer,
    () => {
      syncIds();
      const n = timeline.selected.size;
      count.textContent = n === 1 ? "1 selected" : `${n} selected`;
      bar.hidden = !timeline.selecting;
    },
  );
  selectButton.addEventListener("click", () => {
    timeline.selecting = !timeline.selecting;
    selectButton.setAttribute("aria-pressed", String(timeline.selecting));
    selectButton.textContent = timeline.selecting ? "Done selecting" : "Select";
    section.classList.toggle("selecting", timeline.selecting);
    if (!timeline.selecting) timeline.selected.clear();
    syncIds();
    bar.hidden = !timeline.selecting;
    count.textContent = `${timeline.selected.size} selected`;
    for (const el of section.querySelectorAll(".ph-tile.selected")) el.classList.remove("selected");
  });
  bar.querySelector("[data-ph-clear]")!.addEventListener("click", () => {
    timeline.selected.clear();
    syncIds();
    for (const el of section.querySelectorAll(".ph-tile.selected")) el.classList.remove("selected");
    count.textContent = "0 selected";
  });
  const albumChoice = bar.querySelector<HTMLSelectElement>("[data-ph-albums]")!;
  const title = bar.querySelector<HTMLInputElement>("[data-ph-newtitle]")!;
  albumChoice.addEventListener("change", () => title.hidden = albumChoice.value !== "");
  bar.addEventListener("submit", (e) => {
    if (timeline.selected.size === 0) {
      e.preventDefault();
      count.textContent = "Select photos first";
    }
  });
  timeline.load().catch((e: unknown) => {
    const p = document.createElement("p");
    p.className = "notice error";
    p.setAttribute("role", "alert");
    p.textContent = e instanceof Error ? e.message : String(e);
    section.prepend(p);
  });
}

function startAlbum(section: HTMLElement): void {
  section.dataset.phReady = "1";
  const root = viewerRoot();
  if (!root) return;
  const shared = section.dataset.phMode === "shared";
  const base = section.dataset.phBase ?? "";
  const order = () =>
    [...section.querySelectorAll<HTMLElement>("[data-ph-list] [data-ph-id]")].map((a) => a.dataset.phId!);
  const source: ViewerSource = shared
    ? {
      info: (id) => `${base}/p/${id}/info`,
      preview: (id) => `${base}/p/${id}/preview`,
      original: (id) => `${base}/p/${id}/original`,
      download: (id) => `${base}/p/${id}/download`,
      step: (id, by) => order()[order().indexOf(id) + by],
    }
    : {
      info: (id) => `/photos/api/photo/${id}?album=1`,
      preview: (id) => `/photos/p/${id}/preview`,
      original: (id) => `/files/${id}`,
      download: (id) => `/files/${id}?download=1`,
      taken: (id) => `/photos/p/${id}/taken`,
      step: (id, by) => order()[order().indexOf(id) + by],
    };
  const viewer = new Viewer(root, source);
  section.addEventListener("click", (e) => {
    const a = (e.target as Element).closest<HTMLAnchorElement>("a[data-ph-id]");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    viewer.open(a.dataset.phId!, a);
  });
}

start();
document.addEventListener("htmx:after:swap", start);

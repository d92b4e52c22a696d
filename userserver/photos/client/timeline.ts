/**
 * The timeline: every photo, newest first, in day groups under month headings, drawn only where
 * the screen is. The layout comes from the day counts alone (one small request), so any month's
 * place is known before a single photo is fetched; windows of photos are fetched for what is on
 * screen. Browsers cap an element's height near 16.7 million pixels (a million photos are taller
 * than that), so the scroller holds a bounded stretch of the timeline and moves it (the base)
 * when scrolling nears either end; the scrubber jumps anywhere.
 */
import type { Tile } from "../catalog.ts";
import { dayLabel, monthLabel, timeLabel } from "../labels.ts";
import type { Viewer } from "./viewer.ts";

interface DayBlock {
  day: number;
  count: number;
  /** Top of the block (month heading, if any, then the day heading), in timeline pixels. */
  top: number;
  /** Where the first row of tiles starts. */
  rowsTop: number;
  bottom: number;
  rows: number;
  month: boolean;
}

const GAP = 3;
const MONTH_H = 56;
const DAY_H = 34;
const DAY_PAD = 10;
const CHUNK = 200;
/** The scroller's own height at most (well under every browser's cap). */
const SPACER_MAX = 6_000_000;
const REBASE_MARGIN = 1_500_000;

export class Timeline {
  #days: DayBlock[] = [];
  #total = 0;
  #cols = 4;
  #size = 100;
  #base = 0;
  #elements = new Map<string, HTMLElement>();
  #tiles = new Map<string, Tile[]>();
  #asked = new Set<string>();
  #want = new Set<string>();
  #frame = 0;
  #spoken: { at: number; label: string } | undefined;
  #fetching = 0;
  readonly selected = new Set<string>();
  selecting = false;
  readonly #spacer: HTMLElement;
  readonly #layer: HTMLElement;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly scrubber: HTMLElement,
    private readonly viewer: Viewer,
    private readonly onSelection: () => void,
  ) {
    this.#spacer = scroller.querySelector<HTMLElement>("[data-ph-spacer]")!;
    this.#layer = document.createElement("div");
    this.#layer.className = "ph-layer";
    scroller.append(this.#layer);
    scroller.addEventListener("scroll", () => this.#schedule(), { passive: true });
    new ResizeObserver(() => this.#relayout()).observe(scroller);
    this.#layer.addEventListener("click", (e) => this.#clicked(e));
    this.#scrubbing();
  }

  async load(): Promise<void> {
    const res = await fetch("/photos/api/days", { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`The timeline could not be loaded (${res.status})`);
    const { days } = await res.json() as { days: Array<[number, number]> };
    this.#days = days.map(([day, count]) => ({
      day,
      count,
      top: 0,
      rowsTop: 0,
      bottom: 0,
      rows: 0,
      month: false,
    }));
    this.#relayout();
  }

  /** Logical pixel offset of the screen's top. */
  get position(): number {
    return this.#base + this.scroller.scrollTop;
  }

  /** Scrolls so timeline pixel `y` is at the top. */
  jump(y: number): void {
    const h = this.scroller.clientHeight;
    const target = Math.max(0, Math.min(y, this.#total - h));
    const spacer = this.#spacerHeight();
    this.#base = this.#total > spacer ? Math.max(0, Math.min(target - spacer / 2, this.#total - spacer)) : 0;
    this.scroller.scrollTop = target - this.#base;
    this.#render();
  }

  /** The top of the month `yyyymm` (or the nearest older one). */
  monthTop(yyyymm: number): number {
    const d = this.#days.find((b) => Math.floor(b.day / 100) <= yyyymm);
    return d ? d.top : this.#total;
  }

  /** The ids of photos on the page in order, around `id` (the viewer's previous/next). */
  neighbourOf(id: string, by: -1 | 1): string | undefined {
    for (const [key, tiles] of this.#tiles) {
      const at = tiles.findIndex((t) => t.i === id);
      if (at < 0) continue;
      const next = tiles[at + by];
      if (next) return next.i;
      void key;
    }
    return undefined;
  }

  #spacerHeight(): number {
    return Math.min(this.#total, SPACER_MAX);
  }

  #relayout(): void {
    const width = this.scroller.clientWidth;
    if (width === 0) return;
    const keep = this.#total > 0 ? this.position / this.#total : 0;
    const target = width < 600 ? 96 : 168;
    this.#cols = Math.max(3, Math.round(width / target));
    this.#size = (width - GAP * (this.#cols - 1)) / this.#cols;
    let y = 0;
    let month = 0;
    for (const b of this.#days) {
      b.top = y;
      b.month = Math.floor(b.day / 100) !== month;
      month = Math.floor(b.day / 100);
      if (b.month) y += MONTH_H;
      y += DAY_H;
      b.rowsTop = y;
      b.rows = Math.ceil(b.count / this.#cols);
      y += b.rows * (this.#size + GAP) + DAY_PAD;
      b.bottom = y;
    }
    this.#total = y;
    this.#spacer.style.height = `${this.#spacerHeight()}px`;
    for (const el of this.#elements.values()) el.remove();
    this.#elements.clear();
    this.#marks();
    this.jump(keep * this.#total);
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      const spacer = this.#spacerHeight();
      const top = this.scroller.scrollTop;
      const h = this.scroller.clientHeight;
      if (
        this.#total > spacer &&
        ((top < REBASE_MARGIN && this.#base > 0) ||
          (top > spacer - h - REBASE_MARGIN && this.#base < this.#total - spacer))
      ) {
        this.jump(this.position);
        return;
      }
      this.#render();
    });
  }

  /** First block whose bottom is below `y`. */
  #blockAt(y: number): number {
    let lo = 0, hi = this.#days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#days[mid]!.bottom <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #render(): void {
    // Layout is read once, before anything changes: a read after a change forces the browser to lay
    // the page out again at once (the timeline's long tasks were such reads, once per heading).
    const h = this.scroller.clientHeight;
    const width = this.scroller.clientWidth;
    const position = this.position;
    const from = position - h / 2;
    const to = position + h * 1.5;
    const live = new Set<string>();
    // Only what is on screen now is wanted (a jump leaves the last place's wants behind).
    this.#want.clear();
    const rowH = this.#size + GAP;
    for (let d = this.#blockAt(from); d < this.#days.length; d++) {
      const b = this.#days[d]!;
      if (b.top > to) break;
      if (b.month) {
        this.#place(
          live,
          `m${b.day}`,
          b.top,
          () => heading("h2", monthLabel(b.day), "ph-month"),
          0,
          width,
          MONTH_H,
        );
      }
      this.#place(
        live,
        `d${b.day}`,
        b.rowsTop - DAY_H,
        () => heading("h3", dayLabel(b.day), "ph-day"),
        0,
        width,
        DAY_H,
      );
      const r0 = Math.max(0, Math.floor((from - b.rowsTop) / rowH));
      const r1 = Math.min(b.rows - 1, Math.floor((to - b.rowsTop) / rowH));
      for (let r = r0; r <= r1; r++) {
        for (let col = 0; col < this.#cols; col++) {
          const k = r * this.#cols + col;
          if (k >= b.count) break;
          const chunk = Math.floor(k / CHUNK) * CHUNK;
          const tile = this.#tiles.get(`${b.day}:${chunk}`)?.[k - chunk];
          if (!tile) this.#need(`${b.day}:${chunk}`);
          const key = `t${b.day}:${k}`;
          const el = this.#place(
            live,
            key,
            b.rowsTop + r * rowH,
            () => tileElement(),
            col * rowH,
            this.#size,
            this.#size,
          );
          if (tile && el.dataset.phId !== tile.i) fillTile(el, tile);
          el.classList.toggle("selected", tile !== undefined && this.selected.has(tile.i));
        }
      }
    }
    for (const [key, el] of this.#elements) {
      if (!live.has(key)) {
        el.remove();
        this.#elements.delete(key);
      }
    }
    this.#fetch();
    this.#scrubberAt(position);
  }

  #place(
    live: Set<string>,
    key: string,
    y: number,
    make: () => HTMLElement,
    x: number,
    w: number,
    h: number,
  ): HTMLElement {
    live.add(key);
    let el = this.#elements.get(key);
    if (!el) {
      el = make();
      el.style.width = `${w}px`;
      el.style.height = `${h}px`;
      el.style.left = `${x}px`;
      this.#elements.set(key, el);
      this.#layer.append(el);
    }
    const top = `${y - this.#base}px`;
    if (el.style.top !== top) el.style.top = top;
    return el;
  }

  #need(key: string): void {
    if (!this.#asked.has(key)) this.#want.add(key);
  }

  /** Asks for the missing windows on screen, 40 to a request, up to 3 requests at once. */
  #fetch(): void {
    if (this.#fetching >= 3 || this.#want.size === 0) return;
    const keys = [...this.#want].slice(0, 40);
    for (const k of keys) {
      this.#want.delete(k);
      this.#asked.add(k);
    }
    this.#fetching++;
    const q = keys.map((k) => `${k}:${CHUNK}`).join(",");
    fetch(`/photos/api/windows?q=${q}`, { headers: { accept: "application/json" } })
      .then((r) =>
        r.ok ? r.json() as Promise<Record<string, Tile[]>> : Promise.reject(new Error(String(r.status)))
      )
      .then((got) => {
        for (const [k, tiles] of Object.entries(got)) this.#tiles.set(k, tiles);
      })
      .catch(() => {
        for (const k of keys) this.#asked.delete(k); // asked again when next on screen
      })
      .finally(() => {
        this.#fetching--;
        this.#render();
      });
  }

  #clicked(e: MouseEvent): void {
    const a = (e.target as Element).closest<HTMLAnchorElement>("a.ph-tile");
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const id = a.dataset.phId;
    if (!id) return;
    if (this.selecting) {
      if (this.selected.has(id)) this.selected.delete(id);
      else this.selected.add(id);
      a.classList.toggle("selected", this.selected.has(id));
      a.setAttribute("aria-pressed", String(this.selected.has(id)));
      this.onSelection();
      return;
    }
    this.viewer.open(id, a);
  }

  // The scrubber: years marked along it; drag, click or arrow keys to move through months.
  #marks(): void {
    for (const m of this.scrubber.querySelectorAll(".ph-year")) m.remove();
    if (this.#total === 0) return;
    let year = 0;
    let lastAt = -100;
    for (const b of this.#days) {
      const y = Math.floor(b.day / 10000);
      if (y === year) continue;
      year = y;
      const at = (b.top / this.#total) * 100;
      if (at - lastAt < 3) continue; // keep labels from overlapping
      lastAt = at;
      const mark = document.createElement("span");
      mark.className = "ph-year";
      mark.textContent = String(y);
      mark.style.top = `${at}%`;
      mark.setAttribute("aria-hidden", "true");
      this.scrubber.append(mark);
    }
  }

  #scrubberAt(y: number): void {
    const b = this.#days[this.#blockAt(y)];
    // After a keyboard jump the month asked for is what is said, even when it sits lower on the
    // screen than the top (the oldest month, at the very end).
    const label = this.#spoken?.at === Math.round(y) ? this.#spoken.label : b ? monthLabel(b.day) : "";
    const pct = this.#total > 0 ? Math.round((y / this.#total) * 100) : 0;
    this.scrubber.setAttribute("aria-valuenow", String(pct));
    this.scrubber.setAttribute("aria-valuetext", label);
    this.scrubber.style.setProperty("--at", `${this.#total > 0 ? (y / this.#total) * 100 : 0}%`);
  }

  #scrubbing(): void {
    const label = this.scrubber.querySelector<HTMLElement>("[data-ph-scrub-label]")!;
    const toY = (clientY: number) => {
      const r = this.scrubber.getBoundingClientRect();
      return Math.max(0, Math.min(1, (clientY - r.top) / r.height)) * this.#total;
    };
    const show = (y: number) => {
      const b = this.#days[this.#blockAt(y)];
      label.textContent = b ? monthLabel(b.day) : "";
      label.style.top = `${this.#total > 0 ? (y / this.#total) * 100 : 0}%`;
    };
    this.scrubber.addEventListener("pointerdown", (e) => {
      this.scrubber.setPointerCapture(e.pointerId);
      this.scrubber.classList.add("dragging");
      const y = toY(e.clientY);
      show(y);
      this.jump(y);
    });
    this.scrubber.addEventListener("pointermove", (e) => {
      if (!this.scrubber.hasPointerCapture(e.pointerId)) {
        show(toY(e.clientY));
        return;
      }
      const y = toY(e.clientY);
      show(y);
      this.jump(y);
    });
    const end = () => this.scrubber.classList.remove("dragging");
    this.scrubber.addEventListener("pointerup", end);
    this.scrubber.addEventListener("pointercancel", end);
    this.scrubber.addEventListener("keydown", (e) => {
      const months = [...new Set(this.#days.map((b) => Math.floor(b.day / 100)))];
      const here = Math.floor((this.#days[this.#blockAt(this.position + 1)]?.day ?? 0) / 100);
      const at = Math.max(0, months.indexOf(here));
      const step: Record<string, number> = {
        ArrowDown: 1,
        ArrowRight: 1,
        ArrowUp: -1,
        ArrowLeft: -1,
        PageDown: 12,
        PageUp: -12,
      };
      let to: number | undefined;
      if (e.key in step) to = Math.max(0, Math.min(months.length - 1, at + step[e.key]!));
      else if (e.key === "Home") to = 0;
      else if (e.key === "End") to = months.length - 1;
      if (to === undefined) return;
      e.preventDefault();
      this.jump(this.monthTop(months[to]!));
      this.#spoken = { at: Math.round(this.position), label: monthLabel(months[to]! * 100 + 1) };
      this.#scrubberAt(this.position);
    });
  }
}

function heading(tag: "h2" | "h3", text: string, cls: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = cls;
  el.textContent = text;
  return el;
}

function tileElement(): HTMLElement {
  const a = document.createElement("a");
  a.className = "ph-tile";
  a.href = "#";
  a.setAttribute("aria-label", "Loading");
  return a;
}

function fillTile(a: HTMLElement, t: Tile): void {
  a.dataset.phId = t.i;
  a.setAttribute("href", `/photos/p/${t.i}/preview?h=${t.h}`);
  a.setAttribute("aria-label", `${t.k ? "Video" : "Photo"}, ${timeLabel(t.t)}`);
  a.style.background = t.c || "";
  const img = document.createElement("img");
  img.alt = "";
  img.decoding = "async";
  img.src = `/photos/p/${t.i}/thumb?h=${t.h}`;
  img.addEventListener("error", () => img.remove(), { once: true });
  a.replaceChildren(img);
  if (t.k) {
    const badge = document.createElement("span");
    badge.className = "ph-badge";
    badge.textContent = "▶";
    badge.setAttribute("aria-hidden", "true");
    a.append(badge);
  }
}

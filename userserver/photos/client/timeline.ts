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
/** Thumbnails asked for per frame (see `#drawPictures`). */
const PICTURES_PER_FRAME = 8;
/**
 * Thumbnails wait until scrolling slows below FAST (px per ms, about five screens a second) and
 * has stayed slow for SETTLE_MS: a fling or a scrubber drag asks for none of the tiles it flies past.
 */
const FAST = 4;
const SETTLE_MS = 120;

/** Something drawn at a place on the timeline: a month or day heading, or a photo's tile. */
interface Placed {
  key: string;
  kind: "tile" | "month" | "day";
  y: number;
  x: number;
  text?: string;
  tile?: Tile;
}

export class Timeline {
  #days: DayBlock[] = [];
  #total = 0;
  #cols = 4;
  #size = 100;
  #base = 0;
  #elements = new Map<string, HTMLElement>();
  /** Elements off the screen, kept to be reused. */
  #spare: Record<Placed["kind"], HTMLElement[]> = { tile: [], month: [], day: [] };
  /** Tiles with a photo but no picture yet, on-screen first. */
  #pictures: HTMLElement[] = [];
  #pictureFrame = 0;
  #pictureWait: ReturnType<typeof setTimeout> | undefined;
  /** When the user last scrolled fast or dragged the scrubber (a jump by click or key is not). */
  #movedAt = 0;
  #lastScroll = { at: 0, top: 0 };
  /** The next scroll event is the timeline's own (`jump`), not the user's. */
  #ownScroll = false;
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
    scroller.addEventListener("scroll", () => {
      const now = { at: performance.now(), top: scroller.scrollTop };
      const fast =
        Math.abs(now.top - this.#lastScroll.top) > FAST * Math.max(16, now.at - this.#lastScroll.at);
      if (this.#ownScroll) this.#ownScroll = false;
      else if (fast) this.#movedAt = now.at;
      this.#lastScroll = now;
      this.#schedule();
    }, { passive: true });
    new ResizeObserver(() => this.#relayout()).observe(scroller);
    this.#layer.addEventListener("click", (e) => this.#clicked(e));
    // A thumbnail that cannot be had leaves the tile's colour: hidden, not removed (no layout).
    this.#layer.addEventListener("error", (e) => {
      if (e.target instanceof HTMLImageElement) e.target.style.visibility = "hidden";
    }, true);
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
    this.#ownScroll = true;
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
    // Sizes change: every element is made anew.
    for (const el of this.#elements.values()) el.remove();
    this.#elements.clear();
    this.#spare = { tile: [], month: [], day: [] };
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
    // Only what is on screen now is wanted (a jump leaves the last place's wants behind).
    this.#want.clear();
    const rowH = this.#size + GAP;
    const items: Placed[] = [];
    for (let d = this.#blockAt(from); d < this.#days.length; d++) {
      const b = this.#days[d]!;
      if (b.top > to) break;
      if (b.month) items.push({ key: `m${b.day}`, kind: "month", y: b.top, x: 0, text: monthLabel(b.day) });
      items.push({ key: `d${b.day}`, kind: "day", y: b.rowsTop - DAY_H, x: 0, text: dayLabel(b.day) });
      const r0 = Math.max(0, Math.floor((from - b.rowsTop) / rowH));
      const r1 = Math.min(b.rows - 1, Math.floor((to - b.rowsTop) / rowH));
      for (let r = r0; r <= r1; r++) {
        for (let col = 0; col < this.#cols; col++) {
          const k = r * this.#cols + col;
          if (k >= b.count) break;
          const chunk = Math.floor(k / CHUNK) * CHUNK;
          const tile = this.#tiles.get(`${b.day}:${chunk}`)?.[k - chunk];
          if (!tile) this.#need(`${b.day}:${chunk}`);
          items.push({ key: `t${b.day}:${k}`, kind: "tile", y: b.rowsTop + r * rowH, x: col * rowH, tile });
        }
      }
    }
    // Elements whose place has scrolled away are reused for the places coming in: moving an element
    // costs the browser far less than making one and throwing another away.
    const keys = new Set(items.map((i) => i.key));
    for (const [key, el] of this.#elements) {
      if (keys.has(key)) continue;
      this.#elements.delete(key);
      el.remove();
      this.#spare[kindOf(key)].push(el);
    }
    // Each new element goes before the next one in the timeline (from the end back), so the page's
    // order — what a screen reader reads, and Tab — stays the timeline's order. A day's heading stays
    // while its rows scroll away and back, so new elements can fall between kept ones.
    let next: HTMLElement | null = null;
    for (let k = items.length - 1; k >= 0; k--) {
      const item = items[k]!;
      let el = this.#elements.get(item.key);
      if (!el) {
        el = this.#spare[item.kind].pop() ?? this.#make(item.kind, width);
        if (item.kind === "tile") clearTile(el);
        else el.textContent = item.text!;
        this.#elements.set(item.key, el);
        this.#layer.insertBefore(el, next);
      }
      next = el;
    }
    const onScreen: HTMLElement[] = [];
    const near: HTMLElement[] = [];
    for (const item of items) {
      const el = this.#elements.get(item.key)!;
      const transform = `translate(${item.x}px,${item.y - this.#base}px)`;
      if (el.style.transform !== transform) el.style.transform = transform;
      const tile = item.tile;
      if (!tile) continue;
      if (el.dataset.phId !== tile.i) fillTile(el, tile);
      const selected = this.selected.has(tile.i);
      if (el.classList.contains("selected") !== selected) {
        el.classList.toggle("selected", selected);
        el.setAttribute("aria-pressed", String(selected));
      }
      if (!el.firstElementChild || el.firstElementChild.tagName !== "IMG") {
        (item.y + rowH > position && item.y < position + h ? onScreen : near).push(el);
      }
    }
    for (const kind of ["tile", "month", "day"] as const) {
      this.#spare[kind].length = Math.min(this.#spare[kind].length, 200);
    }
    // Pictures are asked for a few per frame, what is on screen first, once the user stops
    // scrolling: each <img> costs the page a request of its own (a screenful at once made frames of
    // 60–200 ms), and the tiles flown past on the way are not worth one.
    this.#pictures = [...onScreen, ...near];
    this.#drawPictures();
    this.#fetch();
    this.#scrubberAt(position);
  }

  #make(kind: Placed["kind"], width: number): HTMLElement {
    if (kind === "month") return heading("h2", "ph-month", width, MONTH_H);
    if (kind === "day") return heading("h3", "ph-day", width, DAY_H);
    const a = document.createElement("a");
    a.className = "ph-tile";
    a.style.width = a.style.height = `${this.#size}px`;
    return a;
  }

  #drawPictures(): void {
    if (this.#pictureFrame || this.#pictureWait !== undefined || this.#pictures.length === 0) return;
    const wait = this.#movedAt + SETTLE_MS - performance.now();
    if (wait > 0) {
      this.#pictureWait = setTimeout(() => {
        this.#pictureWait = undefined;
        this.#drawPictures();
      }, wait);
      return;
    }
    this.#pictureFrame = requestAnimationFrame(() => {
      this.#pictureFrame = 0;
      let n = 0;
      while (n < PICTURES_PER_FRAME && this.#pictures.length > 0) {
        const el = this.#pictures.shift()!;
        const id = el.dataset.phId;
        // Gone from the screen, or given another photo, since it was queued.
        if (!el.isConnected || !id || el.firstElementChild?.tagName === "IMG") continue;
        const img = document.createElement("img");
        img.alt = "";
        img.decoding = "async";
        img.src = `/photos/p/${id}/thumb?h=${el.dataset.phHash}`;
        el.prepend(img);
        n++;
      }
      this.#drawPictures();
    });
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
      this.#movedAt = performance.now();
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

function kindOf(key: string): Placed["kind"] {
  return key[0] === "t" ? "tile" : key[0] === "m" ? "month" : "day";
}

function heading(tag: "h2" | "h3", cls: string, width: number, height: number): HTMLElement {
  const el = document.createElement(tag);
  el.className = cls;
  el.style.width = `${width}px`;
  el.style.height = `${height}px`;
  return el;
}

/** A tile waiting for its photo's row (a reused one forgets the photo it showed). */
function clearTile(a: HTMLElement): void {
  delete a.dataset.phId;
  delete a.dataset.phHash;
  a.setAttribute("href", "#");
  a.setAttribute("aria-label", "Loading");
  a.removeAttribute("aria-pressed");
  a.classList.remove("selected");
  a.style.background = "";
  a.replaceChildren();
}

/** The photo's row on its tile; the picture comes later (`Timeline.#drawPictures`). */
function fillTile(a: HTMLElement, t: Tile): void {
  a.dataset.phId = t.i;
  a.dataset.phHash = t.h;
  a.setAttribute("href", `/photos/p/${t.i}/preview?h=${t.h}`);
  a.setAttribute("aria-label", `${t.k ? "Video" : "Photo"}, ${timeLabel(t.t)}`);
  a.style.background = t.c || "";
  a.removeAttribute("aria-pressed");
  a.classList.remove("selected");
  a.replaceChildren();
  if (t.k) {
    const badge = document.createElement("span");
    badge.className = "ph-badge";
    badge.textContent = "▶";
    badge.setAttribute("aria-hidden", "true");
    a.append(badge);
  }
}

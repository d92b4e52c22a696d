/**
 * The viewer: one photo or video over the page. Keyboard (←/→, Escape, i for details, + to zoom,
 * space for the slideshow), swipe, double-tap or double-click to zoom, pinch and ctrl+wheel to
 * zoom, drag to look around a zoomed photo. Zooming fetches the original for its detail.
 */
import { timeLabel } from "../labels.ts";
import type { PhotoInfo as Info } from "../renditions.ts";

/** What the server says of a photo (renditions.ts), and on the timeline its neighbours. */
export type PhotoInfo = Info & { newer?: string; older?: string };

export interface ViewerSource {
  info(id: string): string;
  preview(id: string): string;
  original(id: string): string;
  download(id: string): string;
  /** The photo before (-1) or after (+1) `id`, given what the server said about it. */
  step(id: string, by: -1 | 1, info: PhotoInfo | undefined): string | undefined;
  /** The owner may correct the date: where to post it. */
  taken?(id: string): string;
}

/** Types a browser shows as they are (others are viewed through their preview only). */
const SHOWABLE = /^image\/(jpeg|png|webp|gif|avif)$/;
const SLIDE_MS = 4000;

export class Viewer {
  #id = "";
  #info: PhotoInfo | undefined;
  #opener: HTMLElement | undefined;
  #scale = 1;
  #tx = 0;
  #ty = 0;
  #loaded: Promise<void> = Promise.resolve();
  #moves: Promise<void> = Promise.resolve();
  #slideshow: ReturnType<typeof setInterval> | undefined;
  #pointers = new Map<number, { x: number; y: number }>();
  #gesture:
    | { x: number; y: number; dist: number; scale: number; tx: number; ty: number; moved: boolean }
    | undefined;
  #lastTap = 0;
  readonly #img: HTMLImageElement;
  readonly #video: HTMLVideoElement;
  readonly #stage: HTMLElement;
  readonly #panel: HTMLElement;

  constructor(private readonly root: HTMLElement, private readonly source: ViewerSource) {
    const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
    this.#img = q<HTMLImageElement>("[data-ph-img]");
    this.#video = q<HTMLVideoElement>("[data-ph-video]");
    this.#stage = q<HTMLElement>("[data-ph-stage]");
    this.#panel = q<HTMLElement>("[data-ph-panel]");
    q("[data-ph-close]").addEventListener("click", () => this.close());
    q("[data-ph-prev]").addEventListener("click", () => void this.go(-1));
    q("[data-ph-next]").addEventListener("click", () => void this.go(1));
    q("[data-ph-info]").addEventListener("click", () => this.toggleInfo());
    q("[data-ph-zoom]").addEventListener("click", () => this.zoomTo(this.#scale > 1 ? 1 : 2.5));
    q("[data-ph-play]").addEventListener("click", () => this.toggleSlideshow());
    root.addEventListener("keydown", (e) => this.#key(e));
    this.#gestures();
    const taken = root.querySelector<HTMLFormElement>("[data-ph-taken]");
    taken?.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.#correct(taken);
    });
  }

  get current(): string {
    return this.#id;
  }

  open(id: string, opener?: HTMLElement): void {
    this.#opener = opener;
    this.root.hidden = false;
    document.documentElement.classList.add("ph-viewing");
    void this.show(id);
    this.root.querySelector<HTMLElement>("[data-ph-close]")!.focus();
  }

  close(): void {
    this.#stopSlideshow();
    this.#video.pause();
    this.root.hidden = true;
    document.documentElement.classList.remove("ph-viewing");
    this.#opener?.focus();
  }

  show(id: string): Promise<void> {
    this.#loaded = this.#load(id);
    return this.#loaded;
  }

  async #load(id: string): Promise<void> {
    this.#id = id;
    this.#info = undefined;
    this.zoomTo(1);
    this.#img.src = this.source.preview(id);
    this.#img.hidden = false;
    this.#video.hidden = true;
    this.#video.removeAttribute("src");
    const dl = this.root.querySelector<HTMLAnchorElement>("[data-ph-download]")!;
    dl.href = this.source.download(id);
    const res = await fetch(this.source.info(id), { headers: { accept: "application/json" } });
    if (this.#id !== id) return; // moved on meanwhile
    if (!res.ok) {
      this.#title(res.status === 404 ? "This photo is no longer here" : "This photo could not be opened");
      return;
    }
    const info = await res.json() as PhotoInfo;
    this.#info = info;
    this.#title(`${info.name} · ${timeLabel(info.takenAt)}`);
    this.#img.alt = `${info.kind === "video" ? "Video" : "Photo"} taken ${timeLabel(info.takenAt)}`;
    if (info.kind === "video") {
      this.#img.hidden = true;
      this.#video.hidden = false;
      this.#video.poster = this.source.preview(id);
      this.#video.src = this.source.original(id);
    }
    this.#facts(info);
    // The neighbours' previews are made and fetched ahead, so moving on shows them at once.
    for (const by of [1, -1] as const) {
      const next = this.source.step(id, by, info);
      if (next) new Image().src = this.source.preview(next);
    }
    this.root.querySelector<HTMLButtonElement>("[data-ph-prev]")!.disabled = !this.source.step(id, -1, info);
    this.root.querySelector<HTMLButtonElement>("[data-ph-next]")!.disabled = !this.source.step(id, 1, info);
  }

  /** Moves one photo on; quick presses queue up, each from where the one before arrived. */
  go(by: -1 | 1): Promise<boolean> {
    const step = this.#moves.then(async () => {
      await this.#loaded;
      const next = this.source.step(this.#id, by, this.#info);
      if (!next) return false;
      await this.show(next);
      return true;
    });
    this.#moves = step.then(() => undefined, () => undefined);
    return step;
  }

  toggleInfo(): void {
    this.#panel.hidden = !this.#panel.hidden;
    this.root.querySelector("[data-ph-info]")!.setAttribute("aria-expanded", String(!this.#panel.hidden));
  }

  toggleSlideshow(): void {
    if (this.#slideshow) this.#stopSlideshow();
    else {
      this.#slideshow = setInterval(() => {
        void this.go(1).then((moved) => moved || this.#stopSlideshow());
      }, SLIDE_MS);
      this.root.querySelector("[data-ph-play]")!.setAttribute("aria-pressed", "true");
    }
  }

  #stopSlideshow(): void {
    clearInterval(this.#slideshow);
    this.#slideshow = undefined;
    this.root.querySelector("[data-ph-play]")!.setAttribute("aria-pressed", "false");
  }

  zoomTo(scale: number, at?: { x: number; y: number }): void {
    const next = Math.max(1, Math.min(8, scale));
    if (at && next !== this.#scale) {
      // Keep the point under the finger (or pointer) where it is.
      const r = this.#stage.getBoundingClientRect();
      const cx = at.x - r.left - r.width / 2, cy = at.y - r.top - r.height / 2;
      this.#tx = cx - ((cx - this.#tx) * next) / this.#scale;
      this.#ty = cy - ((cy - this.#ty) * next) / this.#scale;
    }
    this.#scale = next;
    if (next === 1) this.#tx = this.#ty = 0;
    this.#img.style.transform = `translate(${this.#tx}px, ${this.#ty}px) scale(${next})`;
    this.root.classList.toggle("zoomed", next > 1);
    // Detail for zooming: the original, when the browser can show it.
    if (next > 1 && this.#info?.kind === "photo" && SHOWABLE.test(this.#info.type)) {
      const original = this.source.original(this.#id);
      if (!this.#img.src.endsWith(original)) this.#img.src = original;
    }
  }

  #title(text: string): void {
    this.root.querySelector("[data-ph-title]")!.textContent = text;
  }

  #facts(info: PhotoInfo): void {
    const dl = this.root.querySelector<HTMLElement>("[data-ph-facts]")!;
    const rows: Array<[string, string]> = [
      ["Taken", `${timeLabel(info.takenAt)}${info.takenFrom === "file" ? " (from the file's date)" : ""}`],
      ...Object.entries(info.facts),
      ["File", info.name],
    ];
    if (info.gps) rows.push(["Where", `${info.gps.latitude.toFixed(5)}, ${info.gps.longitude.toFixed(5)}`]);
    dl.replaceChildren(
      ...rows.flatMap(([k, v]) => {
        const dt = document.createElement("dt");
        dt.textContent = k;
        const dd = document.createElement("dd");
        dd.textContent = v;
        return [dt, dd];
      }),
    );
    const input = this.root.querySelector<HTMLInputElement>("[data-ph-taken-input]");
    if (input) input.value = new Date(info.takenAt).toISOString().slice(0, 16);
  }

  async #correct(form: HTMLFormElement): Promise<void> {
    const url = this.source.taken?.(this.#id);
    if (!url) return;
    const res = await fetch(url, { method: "POST", body: new FormData(form) });
    const answer = await res.json().catch(() => ({})) as { error?: string };
    if (!res.ok) {
      this.#title(answer.error ?? "The date could not be changed");
      return;
    }
    await this.show(this.#id);
  }

  #key(e: KeyboardEvent): void {
    if (e.target instanceof HTMLInputElement) return;
    const keys: Record<string, () => void> = {
      Escape: () => this.close(),
      ArrowLeft: () => void this.go(-1),
      ArrowRight: () => void this.go(1),
      i: () => this.toggleInfo(),
      "+": () => this.zoomTo(this.#scale * 1.5),
      "=": () => this.zoomTo(this.#scale * 1.5),
      "-": () => this.zoomTo(this.#scale / 1.5),
      " ": () => this.toggleSlideshow(),
    };
    if (e.key === " " && e.target instanceof HTMLButtonElement) return; // a button's own Space
    if (e.key === "Tab") return this.#trapFocus(e);
    const act = keys[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  }

  #trapFocus(e: KeyboardEvent): void {
    const all = [
      ...this.root.querySelectorAll<HTMLElement>("button:not([disabled]), a[href], input, video[controls]"),
    ]
      .filter((el) => !el.closest("[hidden]"));
    const first = all[0], last = all[all.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  #gestures(): void {
    const stage = this.#stage;
    stage.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      this.zoomTo(this.#scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2), { x: e.clientX, y: e.clientY });
    }, { passive: false });
    stage.addEventListener(
      "dblclick",
      (e) => this.zoomTo(this.#scale > 1 ? 1 : 2.5, { x: e.clientX, y: e.clientY }),
    );
    stage.addEventListener("pointerdown", (e) => {
      if (e.target === this.#video) return;
      try {
        stage.setPointerCapture(e.pointerId);
      } catch {
        // Not a live pointer (a synthetic event): moves still arrive on the stage.
      }
      this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      this.#gesture = this.#start();
    });
    stage.addEventListener("pointermove", (e) => {
      if (!this.#pointers.has(e.pointerId) || !this.#gesture) return;
      this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const g = this.#gesture;
      const now = this.#start();
      if (Math.hypot(now.x - g.x, now.y - g.y) > 8 || Math.abs(now.dist - g.dist) > 8) g.moved = true;
      if (this.#pointers.size >= 2 && g.dist > 0) {
        [this.#scale, this.#tx, this.#ty] = [g.scale, g.tx, g.ty];
        this.zoomTo(g.scale * (now.dist / g.dist), { x: now.x, y: now.y });
      } else if (this.#scale > 1) {
        this.#tx = g.tx + (now.x - g.x);
        this.#ty = g.ty + (now.y - g.y);
        this.#img.style.transform = `translate(${this.#tx}px, ${this.#ty}px) scale(${this.#scale})`;
      }
    });
    const up = (e: PointerEvent) => {
      const g = this.#gesture;
      const was = this.#pointers.get(e.pointerId);
      this.#pointers.delete(e.pointerId);
      if (!g || !was) return;
      if (this.#pointers.size > 0) {
        this.#gesture = this.#start();
        return;
      }
      this.#gesture = undefined;
      const dx = was.x - g.x, dy = was.y - g.y;
      if (this.#scale === 1 && g.moved && Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy)) {
        void this.go(dx < 0 ? 1 : -1); // swipe left: the next (older) photo
        return;
      }
      if (!g.moved && e.pointerType === "touch") {
        // A double tap zooms (touch gives no dblclick while zoom gestures are ours).
        if (e.timeStamp - this.#lastTap < 350) this.zoomTo(this.#scale > 1 ? 1 : 2.5, was);
        this.#lastTap = e.timeStamp;
      }
    };
    stage.addEventListener("pointerup", up);
    stage.addEventListener("pointercancel", up);
  }

  /** Where the pointers are now: their centre and spread, with the zoom and pan they started from. */
  #start() {
    const ps = [...this.#pointers.values()];
    const x = ps.reduce((s, p) => s + p.x, 0) / Math.max(1, ps.length);
    const y = ps.reduce((s, p) => s + p.y, 0) / Math.max(1, ps.length);
    const dist = ps.length >= 2 ? Math.hypot(ps[0]!.x - ps[1]!.x, ps[0]!.y - ps[1]!.y) : 0;
    return {
      x,
      y,
      dist,
      scale: this.#scale,
      tx: this.#tx,
      ty: this.#ty,
      moved: this.#gesture?.moved ?? false,
    };
  }
}

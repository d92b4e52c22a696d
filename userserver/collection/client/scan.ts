/**
 * The Collection's scanner (bundled as /_static/scan.js): the browser's BarcodeDetector where it
 * has one, else the ZXing WebAssembly decoder (`barcode-detector`), whose .wasm this server serves
 * itself (`/_static/zxing_reader.wasm`, never a CDN). Live camera scanning (a frame every 250 ms),
 * or a code read from a chosen photo; each code found is added to the collection.
 */
import { BarcodeDetector as ZXingDetector, prepareZXingModule } from "barcode-detector/ponyfill";
import { FORMAT_NAMES } from "../formats.ts";

interface Found {
  rawValue: string;
  format: string;
}
interface Detector {
  detect(source: ImageBitmapSource): Promise<Found[]>;
}

/** What is read: 2D codes and the common product and shipping bar codes. */
const FORMATS: Array<
  | "qr_code"
  | "ean_13"
  | "ean_8"
  | "upc_a"
  | "upc_e"
  | "code_128"
  | "code_39"
  | "itf"
  | "data_matrix"
  | "pdf417"
  | "aztec"
> = [
  "qr_code",
  "ean_13",
  "ean_8",
  "upc_a",
  "upc_e",
  "code_128",
  "code_39",
  "itf",
  "data_matrix",
  "pdf417",
  "aztec",
];

/**
 * Starts on the page this module was loaded with, and again on every page htmx swaps in (a boosted
 * link or form lands on the Collection again, and a module runs only once per document).
 */
function init(): void {
  const root = document.querySelector<HTMLElement>("[data-collection]:not([data-scan-ready])");
  if (!root) return;
  root.dataset.scanReady = "true";
  start(root);
}
init();
document.addEventListener("htmx:after:swap", init);

interface NativeDetector {
  new (options?: { formats: string[] }): Detector;
  getSupportedFormats(): Promise<string[]>;
}

/** The browser's own detector when it reads the formats that matter (some read QR codes only), else ZXing. */
async function detector(): Promise<Detector> {
  const native = (globalThis as { BarcodeDetector?: NativeDetector }).BarcodeDetector;
  const supported = native ? await native.getSupportedFormats().catch(() => [] as string[]) : [];
  if (native && supported.includes("qr_code") && supported.includes("ean_13")) {
    return new native({ formats: FORMATS.filter((f) => supported.includes(f)) });
  }
  prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith(".wasm") ? "/_static/zxing_reader.wasm" : prefix + path,
    },
  });
  return new ZXingDetector({ formats: FORMATS }) as unknown as Detector;
}

function start(root: HTMLElement): void {
  const status = root.querySelector<HTMLElement>("[data-scan-status]")!;
  const view = root.querySelector<HTMLElement>("[data-scan-view]")!;
  const video = root.querySelector<HTMLVideoElement>("[data-scan-video]")!;
  let found: Promise<Detector> | undefined;
  const det = () => (found ??= detector());
  let stream: MediaStream | undefined;
  const seen = new Set<string>();

  /** Adds an entry; a code read from a photo keeps that photo as the entry's. */
  const add = async (code: Found, source: "camera" | "photo", photo?: File) => {
    if (seen.has(code.rawValue)) return;
    seen.add(code.rawValue);
    const body = new FormData();
    body.set("code", code.rawValue);
    body.set("format", code.format);
    body.set("source", source);
    if (photo) body.set("photo", photo);
    const res = await fetch("/collection", { method: "POST", headers: { accept: "application/json" }, body });
    status.textContent = res.ok ? `Added ${code.rawValue}` : `Could not add ${code.rawValue}`;
    if (res.ok) addRow(code, ((await res.json()) as { item: { photoId: string | null } }).item.photoId);
  };

  const addRow = (code: Found, photoId: string | null) => {
    const list = root.querySelector<HTMLElement>("[data-collection-list]")!;
    const li = document.createElement("li");
    li.dataset.code = code.rawValue;
    // The photo's slot: its thumbnail, or empty until the page is next loaded (then: "add a photo").
    const slot = document.createElement(photoId ? "a" : "span");
    slot.className = "coll-thumb";
    if (photoId) {
      slot.setAttribute("href", `/browse/${photoId}`);
      const img = document.createElement("img");
      img.src = `/files/${photoId}/thumb`;
      img.alt = `Photo of ${code.rawValue}`;
      slot.append(img);
    }
    const strong = document.createElement("strong");
    strong.textContent = code.rawValue;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = FORMAT_NAMES[code.format] ?? code.format;
    const name = document.createElement("span");
    name.className = "name";
    name.append(strong, " ", badge);
    li.append(slot, name);
    list.prepend(li);
  };

  root.querySelector<HTMLInputElement>("[data-scan-photo]")!.addEventListener("change", async (e) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    status.textContent = "Reading the photo…";
    try {
      const codes = await (await det()).detect(await createImageBitmap(file));
      if (codes.length === 0) status.textContent = "No code found in that photo. Try a sharper, closer one.";
      for (const code of codes) await add(code, "photo", file);
    } catch (err) {
      status.textContent = `The photo could not be read: ${(err as Error).message}`;
    }
  });

  root.querySelector<HTMLButtonElement>("[data-scan-camera]")!.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      status.textContent = "The camera is not available here. Read a code from a photo, or type it.";
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    await video.play();
    status.textContent = "Point the camera at a bar code…";
    const tick = async () => {
      if (!stream) return;
      if (!root.isConnected) {
        // Navigated away (htmx swapped the page): the camera goes off with it.
        for (const t of stream.getTracks()) t.stop();
        stream = undefined;
        return;
      }
      try {
        for (const code of await (await det()).detect(video)) await add(code, "camera");
      } catch {
        // A frame that could not be read: the next one may.
      }
      setTimeout(() => void tick(), 250);
    };
    void tick();
  });

  // A photo chosen for an entry sends itself (the form's button is for pages without script).
  for (const form of root.querySelectorAll<HTMLFormElement>("[data-coll-photo-form]")) {
    form.querySelector("input[type=file]")!.addEventListener("change", () => form.requestSubmit());
  }
  // The typed entry's photo: say which one was chosen.
  const typedPhoto = root.querySelector<HTMLInputElement>("[data-coll-photo-name]");
  typedPhoto?.addEventListener("change", () => {
    root.querySelector<HTMLElement>("[data-coll-photo-chosen]")!.textContent = typedPhoto.files?.[0]?.name ??
      "";
  });

  root.querySelector<HTMLButtonElement>("[data-scan-stop]")!.addEventListener("click", () => {
    for (const t of stream?.getTracks() ?? []) t.stop();
    stream = undefined;
    view.hidden = true;
    status.textContent = "";
  });
}

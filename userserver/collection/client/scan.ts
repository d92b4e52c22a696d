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

const root = document.querySelector<HTMLElement>("[data-collection]");
if (root) start(root);

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

  const add = async (code: Found, source: "camera" | "photo") => {
    if (seen.has(code.rawValue)) return;
    seen.add(code.rawValue);
    const res = await fetch("/collection", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ code: code.rawValue, format: code.format, source }),
    });
    status.textContent = res.ok ? `Added ${code.rawValue}` : `Could not add ${code.rawValue}`;
    if (res.ok) addRow(code);
  };

  const addRow = (code: Found) => {
    const list = root.querySelector<HTMLElement>("[data-collection-list]")!;
    const li = document.createElement("li");
    li.dataset.code = code.rawValue;
    li.style.gridTemplateColumns = "minmax(0, 1fr)";
    const strong = document.createElement("strong");
    strong.textContent = code.rawValue;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = FORMAT_NAMES[code.format] ?? code.format;
    const name = document.createElement("span");
    name.className = "name";
    name.append(strong, " ", badge);
    li.append(name);
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
      for (const code of codes) await add(code, "photo");
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
      try {
        for (const code of await (await det()).detect(video)) await add(code, "camera");
      } catch {
        // A frame that could not be read: the next one may.
      }
      setTimeout(() => void tick(), 250);
    };
    void tick();
  });

  root.querySelector<HTMLButtonElement>("[data-scan-stop]")!.addEventListener("click", () => {
    for (const t of stream?.getTracks() ?? []) t.stop();
    stream = undefined;
    view.hidden = true;
    status.textContent = "";
  });
}

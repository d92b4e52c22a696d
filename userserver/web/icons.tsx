/** Inline SVG icons (no emoji: not every system has an emoji font), sized by the surrounding text. */
import { raw } from "hono/html";
const PATHS: Record<string, string> = {
  bell: "M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0",
  folder:
    "M20 20a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-7.9a2 2 0 0 1-1.69-.9L9.6 3.9A2 2 0 0 0 7.93 3H4a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2Z",
  file: "M15 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V7ZM14 2v5h6",
  image:
    "M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2ZM9 11a2 2 0 1 0 0-4 2 2 0 0 0 0 4ZM21 15l-3.1-3.1a2 2 0 0 0-2.8 0L6 21",
  up: "M12 19V5M5 12l7-7 7 7",
  empty:
    "M22 12h-6l-2 3h-4l-2-3H2M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11Z",
  share:
    "M18 8a3 3 0 1 0-2.83-4M6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM8.6 13.5l6.8 4M15.4 6.5l-6.8 4",
  alert:
    "M12 9v4M12 17h.01M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0Z",
};

/**
 * The markup of one icon, built once per (path, size) and reused as raw HTML: a folder page draws
 * hundreds of icons, and rebuilding each as JSX (attributes escaped every time) was a large share
 * of its render time. Paths and sizes come from this code, never from users.
 */
const svgCache = new Map<string, ReturnType<typeof raw>>();
export function svgIcon(path: string, size: string): ReturnType<typeof raw> {
  const key = `${size}|${path}`;
  let html = svgCache.get(key);
  if (!html) {
    html = raw(
      `<svg class="icon-svg" width="${size}" height="${size}" viewBox="0 0 24 24" fill="none" stroke="currentColor"` +
        ` stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">` +
        `<path d="${path}"></path></svg>`,
    );
    svgCache.set(key, html);
  }
  return html;
}

export function Icon({ name, size = "1.25em" }: { name: string; size?: string }) {
  return svgIcon(PATHS[name] ?? PATHS.file, size);
}

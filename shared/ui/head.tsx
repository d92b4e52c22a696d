/**
 * The one HTML `<head>` of every Hearth page — IdCloud's pages, the user server's shell and the
 * card pages: charset, viewport, light/dark, referrer, the title, the shared theme plus the page's
 * own CSS, and scripts only as files (`<script src>`), never inline, so the strict CSP of
 * shared/web/headers.ts holds everywhere.
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { THEME_CSS } from "./theme.ts";

export interface HeadProps {
  /** The whole document title. */
  title: string;
  /** CSS added to the shared theme (inline: the theme is small and every page needs it at once). */
  css?: string;
  /** Script files, loaded deferred in this order (e.g. `/_static/htmx.min.js`). */
  scripts?: string[];
  /** Anything else for the head (e.g. a no-JS refresh). */
  children?: Child;
}

/** The brand mark (an "H" on the accent) as the tab's icon: a data URL, so no extra request and no route. */
export const FAVICON = `data:image/svg+xml,${
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#d9653b"/><text x="16" y="23" font-family="system-ui,sans-serif" font-size="19" font-weight="700" fill="#fff" text-anchor="middle">H</text></svg>`,
  )
}`;

export function Head({ title, css = "", scripts = [], children }: HeadProps) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="referrer" content="same-origin" />
      <title>{title}</title>
      <link rel="icon" href={FAVICON} />
      <style>{raw(THEME_CSS + css)}</style>
      {scripts.map((src) => <script key={src} src={src} defer></script>)}
      {children}
    </head>
  );
}

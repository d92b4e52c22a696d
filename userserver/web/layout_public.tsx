/** The plain page frame for pages without the shell (landing pages, setup). */
import type { Child } from "hono/jsx";

export function Layout({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style>{PAGE_CSS}</style>
      </head>
      <body>
        <main>{children}</main>
      </body>
    </html>
  );
}

const PAGE_CSS = `
  :root { color-scheme: light dark; --accent: #d9653b; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; }
  main { max-width: 36rem; padding: 2rem; line-height: 1.5; }
  h1 { margin: 0 0 .5rem; font-size: 2rem; }
  h1 span { color: var(--accent); }
  .muted { opacity: .7; }
  code { font-size: .95em; }
`;

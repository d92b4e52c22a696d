/**
 * The small one-card page in Hearth's shared look (shared/ui/theme.ts): a centred card under the
 * brand, for pages that stand alone — IdCloud's consent, error and sign-out pages, the user server's
 * sign-in pages, and its local landing and first-run setup pages. Light and dark follow the system.
 */
import type { Child } from "hono/jsx";
import { Head } from "./head.tsx";

export interface CardPageProps {
  /** The page's own title; the document title is `<title> · <brand>`. */
  title: string;
  /** Shown at the top of the card and in the document title, e.g. "Hearth ID". */
  brand?: string;
  /** An icon shown above the heading (an inline SVG). */
  icon?: Child;
  /** The whole document title, where `<title> · <brand>` does not fit. */
  documentTitle?: string;
  /** A wider card, for pages with longer forms. */
  wide?: boolean;
  children: Child;
}

export function CardPage({ title, brand = "Hearth", icon, documentTitle, wide, children }: CardPageProps) {
  return (
    <html lang="en">
      <Head title={documentTitle ?? `${title} · ${brand}`} css={CARD_CSS} />
      <body>
        <main class={wide ? "card-page wide" : "card-page"}>
          <div class="card">
            <p class="card-brand">
              <span class="brand-mark" aria-hidden="true">H</span>
              {brand}
            </p>
            {icon ? <p class="card-icon" aria-hidden="true">{icon}</p> : ""}
            {children}
          </div>
        </main>
      </body>
    </html>
  );
}

/** The card page's additions to the theme. */
export const CARD_CSS = `
main.card-page { max-width: 30rem; display: flex; flex-direction: column; justify-content: center; }
main.card-page.wide { max-width: 38rem; }
.card-page .card { margin: 0; }
.card-brand { display: flex; align-items: center; gap: .5rem; margin: 0 0 1.25rem; font-weight: 700;
  color: var(--text); }
.card-icon { display: inline-grid; place-items: center; width: 3rem; height: 3rem; margin: 0 0 1rem;
  border-radius: 12px; color: var(--accent); background: var(--accent-soft); }
.card-page h1 { margin-bottom: .75rem; }
.card-page ul { padding-left: 1.25rem; margin: 0 0 1rem; }
.accent { color: var(--accent-strong); font-weight: 600; overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) { .accent { color: var(--accent); } }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
.card-page button, .card-page .button { min-height: 44px; }
.card-page section + section { border-top: 1px solid var(--border); margin-top: 1.75rem; padding-top: 1.5rem; }
.step { display: inline-grid; place-items: center; width: 1.6rem; height: 1.6rem; margin-right: .35rem;
  border-radius: 999px; background: var(--accent-soft); color: var(--accent-strong); font-size: .85rem; }
@media (prefers-color-scheme: dark) { .step { color: var(--accent); } }
.notice > p:last-child { margin-bottom: 0; }
`;

/** A small page layout in Hearth's shared look (shared/ui/theme.ts), for IdCloud and the user server. */
import type { Child } from "hono/jsx";
import { Head } from "./head.tsx";

export interface NavLink {
  href: string;
  label: string;
  current?: boolean;
}

export interface PageProps {
  title: string;
  /** The product area shown beside the brand, e.g. "Account". */
  area?: string;
  nav?: NavLink[];
  /** Extra content at the right of the top bar (e.g. a sign-out form). */
  actions?: Child;
  wide?: boolean;
  children: Child;
}

function navLink(n: NavLink) {
  return <a href={n.href} aria-current={n.current ? "page" : undefined}>{n.label}</a>;
}

export function Page({ title, area, nav = [], actions, wide, children }: PageProps) {
  return (
    <html lang="en">
      <Head title={`${title} · Hearth`} />
      <body>
        <header class="topbar">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true">H</span>
            <span>Hearth{area ? <span class="muted area">{` ${area}`}</span> : ""}</span>
          </a>
          {nav.length || actions
            ? (
              <nav aria-label="Main">
                {nav.map(navLink)}
                {actions}
              </nav>
            )
            : ""}
        </header>
        <main class={wide ? "wide" : undefined}>{children}</main>
        <footer class="site">Hearth — your own cloud</footer>
      </body>
    </html>
  );
}

/**
 * The shell's page frame: top bar with the tabs (from the plugins' nav entries, then Settings)
 * and the notification bell (live over SSE), then the page. Full-page GETs get this layout;
 * htmx requests that target part of a page get the bare fragment (see `render.tsx`).
 */
import type { Child } from "hono/jsx";
import { Head } from "../../shared/ui/head.tsx";
import { SHELL_CSS } from "./shell_css.ts";
import { Icon } from "./icons.tsx";
import { SUGGEST_LIST_ID, SuggestList } from "../search/suggest_list.tsx";

export interface Tab {
  label: string;
  path: string;
}

export interface ShellProps {
  title: string;
  name: string;
  tabs: Tab[];
  /** The current path, to mark the current tab. */
  path: string;
  unseen: number;
  account?: AccountMenuInfo;
  /** The owner's header widgets (search, the bell); false for a device. Default true. */
  ownerWidgets?: boolean;
  /** Extra elements for <head> (e.g. a no-JS refresh). */
  head?: Child;
  children: Child;
}

/** The account menu's facts: who is signed in, and where their account lives (IdCloud, port included). */
export interface AccountMenuInfo {
  who: string;
  /** IdCloud's origin, e.g. `https://id.hearth.localhost:8787`. */
  idOrigin: string;
  /**
   * Relayed pages: the local listener to probe, a fresh challenge and the answer only this server's
   * local listener can give (userserver/local/client/here.ts reveals "Open on this computer").
   */
  localProbe?: { origin: string; challenge: string; answer: string };
  /** Local pages: this browser reaches the server directly. */
  onThisComputer?: boolean;
}

export function Shell(
  { title, name, tabs, path, unseen, account, ownerWidgets = true, head, children }: ShellProps,
) {
  return (
    <html lang="en">
      <Head
        title={`${title} · ${name}'s Hearth`}
        css={SHELL_CSS}
        scripts={[
          "/_static/htmx.min.js",
          "/_static/hx-sse.min.js",
          "/_static/local.js",
          "/_static/pwa.js",
          "/_static/search.js",
        ]}
      >
        <link rel="manifest" href="/manifest.webmanifest" />
        <meta name="theme-color" content="#d9653b" />
        <link rel="apple-touch-icon" href="/_pwa/icon-192.png" />
        {head}
      </Head>
      <body hx-boost:inherited="true">
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true">H</span>
            <span>{name}'s Hearth</span>
          </a>
          <nav class="tabs" aria-label="Main">
            {tabs.map((t) => (
              <a href={t.path} aria-current={isCurrent(t.path, path) ? "page" : undefined}>{t.label}</a>
            ))}
          </nav>
          <div class="right">
            {ownerWidgets
              ? (
                <>
                  <form class="header-search" role="search" action="/search" method="get">
                    <label class="visually-hidden" for="header-search-q">Search everything</label>
                    {/* A combobox: its list comes as you type (search/suggest.tsx, search/client/search.ts). */}
                    <input
                      id="header-search-q"
                      type="search"
                      name="q"
                      placeholder="Search"
                      autocomplete="off"
                      role="combobox"
                      aria-autocomplete="list"
                      aria-expanded="false"
                      aria-controls={SUGGEST_LIST_ID}
                      hx-get="/search/suggest"
                      hx-trigger="input delay:200ms"
                      hx-target={`#${SUGGEST_LIST_ID}`}
                      hx-swap="outerHTML"
                    />
                    <SuggestList />
                  </form>
                  <span id="bell" hx-sse:connect="/events/bell" hx-swap="innerHTML">
                    <Bell unseen={unseen} />
                  </span>
                </>
              )
              : ""}
            {account && <AccountMenu {...account} />}
          </div>
        </header>
        <main id="main" class="shell">{children}</main>
      </body>
    </html>
  );
}

/** A disclosure (no script needed, keyboard-operable): who is signed in, account pages, sign out. */
export function AccountMenu({ who, idOrigin, localProbe, onThisComputer }: AccountMenuInfo) {
  return (
    <details class="account-menu">
      <summary aria-label={`Account: ${who}`} title={who}>
        <span class="avatar" aria-hidden="true">{(who[0] ?? "?").toUpperCase()}</span>
      </summary>
      <div class="account-panel">
        <p class="muted">
          Signed in as <strong>{who}</strong>
        </p>
        {onThisComputer ? <p class="muted small">On this computer, directly (no relay)</p> : ""}
        <ul>
          {localProbe
            ? (
              <li
                id="open-locally"
                hidden
                data-origin={localProbe.origin}
                data-challenge={localProbe.challenge}
                data-answer={localProbe.answer}
              >
                <a href={localProbe.origin} hx-boost="false">Open on this computer (direct, faster)</a>
              </li>
            )
            : ""}
          <li>
            <a href={`${idOrigin}/account`} hx-boost="false">Your Hearth account</a>
          </li>
          <li>
            <a href={`${idOrigin}/account/security`} hx-boost="false">Password and two-factor</a>
          </li>
          <li>
            <a href="/settings/app-passwords">App passwords (WebDAV)</a>
          </li>
        </ul>
        <form method="post" action="/auth/logout" hx-boost="false">
          <button type="submit">Sign out</button>
        </form>
      </div>
    </details>
  );
}

export function Bell({ unseen }: { unseen: number }) {
  const label = unseen === 0 ? "Notifications" : `Notifications (${unseen} unseen)`;
  return (
    // The name comes from the content (not aria-label), so it contains the count people see.
    <a class="bell" href="/notifications" title={label}>
      <Icon name="bell" />
      <span class="sr-only">Notifications</span>
      <span class="count" data-zero={unseen === 0 ? "" : undefined}>
        {unseen > 99 ? "99+" : String(unseen)}
      </span>
      {unseen === 0 ? "" : <span class="sr-only">unseen</span>}
    </a>
  );
}

function isCurrent(tab: string, path: string): boolean {
  return path === tab || path.startsWith(tab + "/");
}

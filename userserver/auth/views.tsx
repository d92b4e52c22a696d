/** The sign-in pages of the user server: someone else's server, signed out, sign-in trouble. */
import type { Child } from "hono/jsx";

function Page({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <main class="card">{children}</main>
      </body>
    </html>
  );
}

export function SomeoneElsePage({ serverName, email }: { serverName: string; email: string }) {
  return (
    <Page title={`${serverName} · Hearth`}>
      <p class="badge" aria-hidden="true">
        <svg
          viewBox="0 0 24 24"
          width="28"
          height="28"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linecap="round"
          stroke-linejoin="round"
        >
          <rect x="4" y="11" width="16" height="10" rx="2" />
          <path d="M8 11V7a4 4 0 0 1 8 0v4" />
        </svg>
      </p>
      <h1>This server belongs to someone else</h1>
      <p>
        You are signed in as <strong>{email}</strong>, but <span class="accent">{serverName}</span>{" "}
        is another person's Hearth. Only its owner can open it.
      </p>
      <form method="post" action="/auth/logout">
        <button type="submit" class="primary">Sign out</button>
      </form>
    </Page>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <h1>Not found</h1>
      <p class="muted">There is nothing here.</p>
    </Page>
  );
}

export function SignedOutPage({ serverName }: { serverName: string }) {
  return (
    <Page title="Signed out">
      <h1>You are signed out</h1>
      <p>
        Your sessions on <span class="accent">{serverName}</span> and at Hearth ID have ended.
      </p>
      <p>
        <a class="button primary" href="/auth/login">Sign in again</a>
      </p>
    </Page>
  );
}

export function LogoutPage({ email }: { email: string }) {
  return (
    <Page title="Sign out?">
      <h1>Sign out?</h1>
      <p>
        You are signed in as <strong>{email}</strong>. Signing out also ends your Hearth ID session.
      </p>
      <form method="post" action="/auth/logout">
        <button type="submit" class="primary">Sign out</button>
      </form>
    </Page>
  );
}

export function SignInProblemPage({ title, message }: { title: string; message: string }) {
  return (
    <Page title={title}>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      <p>
        <a class="button primary" href="/auth/login">Try again</a>
      </p>
    </Page>
  );
}

const CSS = `
  :root { color-scheme: light dark; --accent: #d9653b; --bg: #f6f4f1; --card: #fff; --fg: #1d1b19;
    --muted: #6b6560; --border: #e4dfd9; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #161412; --card: #211e1b; --fg: #f1ece6; --muted: #a69f97; --border: #37322d; }
  }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg);
    color: var(--fg); padding: 1rem; }
  .card { width: 100%; max-width: 30rem; background: var(--card); border: 1px solid var(--border);
    border-radius: 14px; padding: 2rem; line-height: 1.5; box-shadow: 0 8px 30px rgb(0 0 0 / .06); }
  .badge { display: inline-grid; place-items: center; width: 3rem; height: 3rem; margin: 0 0 1rem;
    border-radius: 12px; color: var(--accent); background: color-mix(in srgb, var(--accent) 14%, transparent); }
  h1 { margin: 0 0 .75rem; font-size: 1.5rem; line-height: 1.25; }
  .accent { color: var(--accent); font-weight: 600; overflow-wrap: anywhere; }
  .muted { color: var(--muted); }
  button, .button { display: inline-block; font: inherit; padding: .6rem 1.2rem; border-radius: 8px;
    border: 1px solid var(--border); background: transparent; color: var(--fg); cursor: pointer;
    text-decoration: none; min-height: 44px; }
  .primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
  button:focus-visible, a:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 50%, transparent);
    outline-offset: 2px; }
`;

/** IdCloud's OIDC pages: consent, a protocol error shown to the person, logout. */
import type { Child } from "hono/jsx";

export function Page({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{title} · Hearth ID</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <main class="card">
          <p class="brand">
            <span aria-hidden="true">◆</span> Hearth ID
          </p>
          {children}
        </main>
      </body>
    </html>
  );
}

export function ConsentPage(
  { clientName, email, scopes, hidden, csrf, isServer }: {
    clientName: string;
    email: string;
    scopes: string[];
    hidden: Record<string, string>;
    csrf: string;
    isServer: boolean;
  },
) {
  const what: string[] = ["your Hearth account id"];
  if (scopes.includes("email")) what.push("your email address");
  if (scopes.includes("offline_access")) what.push("to stay signed in when you are away");
  return (
    <Page title="Allow access?">
      <h1>
        Sign in to <span class="accent">{clientName}</span>?
      </h1>
      <p>
        {isServer
          ? "This Hearth server belongs to someone else. Signing in lets its owner's server know:"
          : "This application asks to know:"}
      </p>
      <ul>
        {what.map((w) => <li key={w}>{w}</li>)}
      </ul>
      <p class="muted">
        Signed in as <strong>{email}</strong>. You are asked once per site.
      </p>
      <form method="post" action="/oidc/authorize/consent">
        {Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
        <input type="hidden" name="csrf" value={csrf} />
        <div class="actions">
          <button type="submit" name="decision" value="allow" class="primary">Continue</button>
          <button type="submit" name="decision" value="deny">Cancel</button>
        </div>
      </form>
    </Page>
  );
}

export function ErrorPage({ title, message }: { title: string; message: string }) {
  return (
    <Page title={title}>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      <p class="muted">Go back to the site you came from and try again.</p>
    </Page>
  );
}

export function LogoutConfirmPage(
  { hidden, csrf, email }: { hidden: Record<string, string>; csrf: string; email: string },
) {
  return (
    <Page title="Sign out?">
      <h1>Sign out of Hearth ID?</h1>
      <p>
        You are signed in as <strong>{email}</strong>.
      </p>
      <form method="post" action="/oidc/logout">
        {Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
        <input type="hidden" name="csrf" value={csrf} />
        <div class="actions">
          <button type="submit" name="confirm" value="yes" class="primary">Sign out</button>
        </div>
      </form>
    </Page>
  );
}

export function SignedOutPage() {
  return (
    <Page title="Signed out">
      <h1>You are signed out</h1>
      <p>Your Hearth ID session has ended. You can close this tab.</p>
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
  .card { width: 100%; max-width: 28rem; background: var(--card); border: 1px solid var(--border);
    border-radius: 14px; padding: 2rem; line-height: 1.5; box-shadow: 0 8px 30px rgb(0 0 0 / .06); }
  .brand { margin: 0 0 1.25rem; font-weight: 600; color: var(--accent); letter-spacing: .02em; }
  h1 { margin: 0 0 .75rem; font-size: 1.5rem; line-height: 1.25; }
  .accent { color: var(--accent); overflow-wrap: anywhere; }
  .muted { color: var(--muted); font-size: .95rem; }
  ul { padding-left: 1.25rem; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
  button { font: inherit; padding: .6rem 1.2rem; border-radius: 8px; border: 1px solid var(--border);
    background: transparent; color: var(--fg); cursor: pointer; min-height: 44px; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
  button:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 50%, transparent); outline-offset: 2px; }
`;

/** The sign-in pages of the user server: someone else's server, signed out, sign-in trouble. */
import type { Child } from "hono/jsx";
import { CardPage } from "../../shared/ui/card_page.tsx";

function Page({ title, icon, children }: { title: string; icon?: Child; children: Child }) {
  return <CardPage title={title} icon={icon}>{children}</CardPage>;
}

const LOCK_ICON = (
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
);

export function SomeoneElsePage({ serverName, email }: { serverName: string; email: string }) {
  return (
    <Page title={serverName} icon={LOCK_ICON}>
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

/** IdCloud's OIDC pages: consent, a protocol error shown to the person, logout. */
import type { Child } from "hono/jsx";
import { CardPage } from "../../../shared/ui/card_page.tsx";

/** IdCloud's card page: the shared layout under the "Hearth ID" brand. */
export function Page({ title, children }: { title: string; children: Child }) {
  return <CardPage title={title} brand="Hearth ID">{children}</CardPage>;
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
          <button type="submit" name="decision" value="deny" class="secondary">Cancel</button>
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

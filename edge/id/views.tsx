/**
 * IdCloud's pages (Hono JSX, shared look from shared/ui). Every page is a plain HTML form that
 * posts and redirects, so it all works without JavaScript.
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import { Page } from "../../shared/ui/page.tsx";
import { ID_SCRIPT_PATH } from "./static.ts";
import type { AuditEntry } from "../console/audit.ts";
import { AuditTable, bytes } from "../console/views.tsx";

type Notice = { kind: "error" | "ok" | "info"; text: Child } | undefined;

function NoticeBox({ notice }: { notice: Notice }) {
  if (!notice) return "";
  return (
    <div
      class={`notice ${notice.kind === "info" ? "" : notice.kind}`}
      role={notice.kind === "error" ? "alert" : "status"}
    >
      {notice.text}
    </div>
  );
}

function Field(
  {
    label,
    name,
    type = "text",
    value,
    autocomplete,
    hint,
    error,
    required = true,
    autofocus,
    inputmode,
    cls,
  }: {
    label: string;
    name: string;
    type?: string;
    value?: string;
    autocomplete?: string;
    hint?: Child;
    error?: string;
    required?: boolean;
    autofocus?: boolean;
    inputmode?: "numeric" | "text";
    cls?: string;
  },
) {
  const id = `f-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        required={required}
        autofocus={autofocus}
        inputmode={inputmode}
        class={cls}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error || hint ? `${id}-hint` : undefined}
      />
      {error
        ? <span class="hint" id={`${id}-hint`} style="color:var(--danger)">{error}</span>
        : hint
        ? <span class="hint" id={`${id}-hint`}>{hint}</span>
        : ""}
    </div>
  );
}

export interface Chrome {
  /** Signed-in email, for the top bar. */
  email?: string;
  current?: string;
}

function Shell(
  { title, chrome, wide, children }: { title: string; chrome?: Chrome; wide?: boolean; children: Child },
) {
  const signedIn = !!chrome?.email;
  return (
    <Page
      title={title}
      area="Account"
      wide={wide}
      nav={signedIn
        ? [
          { href: "/account", label: "Overview", current: chrome?.current === "account" },
          { href: "/account/servers", label: "Servers", current: chrome?.current === "servers" },
          { href: "/account/security", label: "Security", current: chrome?.current === "security" },
        ]
        : []}
      actions={signedIn
        ? (
          <form method="post" action="/signout">
            <button type="submit" class="secondary">Sign out</button>
          </form>
        )
        : ""}
    >
      {children}
    </Page>
  );
}

// ---------------------------------------------------------------------------------------------

export function SignupPage({ email, errors = {}, notice }: {
  email?: string;
  errors?: { email?: string; password?: string };
  notice?: Notice;
}) {
  return (
    <Shell title="Create your account">
      <h1>Create your Hearth account</h1>
      <p class="lead">One account for your own server, wherever you are.</p>
      <NoticeBox notice={notice} />
      <form method="post" action="/signup" class="card" novalidate>
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          autocomplete="email"
          error={errors.email}
          autofocus
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          error={errors.password}
          hint="At least 10 characters. A few unrelated words work well."
        />
        <button type="submit" class="block">Create account</button>
      </form>
      <p class="center muted">
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </Shell>
  );
}

export function CheckMailPage({ email, what }: { email: string; what: "verify" | "reset" | "change" }) {
  const text = what === "verify"
    ? "We sent a link to confirm your address. Open it to finish creating your account."
    : what === "reset"
    ? "If there's an account for this address, we've sent a link to choose a new password."
    : "We sent a confirmation link to your new address. Your email changes when you open it.";
  return (
    <Shell title="Check your email">
      <div class="card center">
        <div style="font-size:2.5rem" aria-hidden="true">✉️</div>
        <h1>Check your email</h1>
        <p class="muted">
          {text} <br />
          <strong>{email}</strong>
        </p>
        <p class="small muted">
          The link works once. It can take a minute to arrive; check your spam folder too.
        </p>
        {what === "verify"
          ? (
            <form method="post" action="/verify/resend">
              <input type="hidden" name="email" value={email} />
              <button type="submit" class="link">Send the link again</button>
            </form>
          )
          : ""}
      </div>
      <p class="center">
        <a href="/login">Back to sign in</a>
      </p>
    </Shell>
  );
}

export function LinkResultPage({ ok, title, message, action }: {
  ok: boolean;
  title: string;
  message: Child;
  action?: { href: string; label: string };
}) {
  return (
    <Shell title={title}>
      <div class="card center">
        <div style="font-size:2.5rem" aria-hidden="true">{ok ? "✅" : "⚠️"}</div>
        <h1>{title}</h1>
        <p class="muted">{message}</p>
        {action ? <a class="button" href={action.href}>{action.label}</a> : ""}
      </div>
    </Shell>
  );
}

export function LoginPage(
  { email, returnTo, notice }: { email?: string; returnTo: string; notice?: Notice },
) {
  return (
    <Shell title="Sign in">
      <h1>Sign in</h1>
      <p class="lead">Sign in to your Hearth account.</p>
      <NoticeBox notice={notice} />
      <form method="post" action="/login" class="card">
        <input type="hidden" name="return_to" value={returnTo} />
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          autocomplete="username"
          autofocus={!email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          autofocus={!!email}
        />
        <button type="submit" class="block">Sign in</button>
        <p class="center small" style="margin:1rem 0 0">
          <a href="/reset">Forgot your password?</a>
        </p>
      </form>
      <p class="center muted">
        New here? <a href="/signup">Create an account</a>
      </p>
    </Shell>
  );
}

export function UnverifiedPage({ email }: { email: string }) {
  return (
    <Shell title="Confirm your email first">
      <div class="card center">
        <h1>Confirm your email first</h1>
        <p class="muted">
          Your password is right, but <strong>{email}</strong>{" "}
          hasn't been confirmed yet. Open the link we mailed you, or get a new one.
        </p>
        <form method="post" action="/verify/resend">
          <input type="hidden" name="email" value={email} />
          <button type="submit">Send a new link</button>
        </form>
      </div>
    </Shell>
  );
}

export function TotpLoginPage({ notice }: { notice?: Notice }) {
  return (
    <Shell title="Two-step verification">
      <h1>Two-step verification</h1>
      <p class="lead">Enter the 6-digit code from your authenticator app.</p>
      <NoticeBox notice={notice} />
      <form method="post" action="/login/totp" class="card">
        <Field
          label="Code"
          name="code"
          autocomplete="one-time-code"
          inputmode="numeric"
          cls="code"
          autofocus
          hint="Lost your phone? Enter one of your recovery codes instead."
        />
        <button type="submit" class="block">Verify</button>
      </form>
      <p class="center small">
        <a href="/login">Start over</a>
      </p>
    </Shell>
  );
}

export function ResetRequestPage({ notice }: { notice?: Notice }) {
  return (
    <Shell title="Reset your password">
      <h1>Reset your password</h1>
      <p class="lead">We'll mail you a link to choose a new one.</p>
      <NoticeBox notice={notice} />
      <form method="post" action="/reset" class="card">
        <Field label="Email" name="email" type="email" autocomplete="email" autofocus />
        <button type="submit" class="block">Send reset link</button>
      </form>
      <p class="center">
        <a href="/login">Back to sign in</a>
      </p>
    </Shell>
  );
}

export function ResetFormPage({ token, error }: { token: string; error?: string }) {
  return (
    <Shell title="Choose a new password">
      <h1>Choose a new password</h1>
      <p class="lead">You'll be signed out everywhere else.</p>
      <form method="post" action={`/reset/${token}`} class="card">
        <Field
          label="New password"
          name="password"
          type="password"
          autocomplete="new-password"
          error={error}
          hint="At least 10 characters."
          autofocus
        />
        <button type="submit" class="block">Save password</button>
      </form>
    </Shell>
  );
}

export function ThrottledPage({ seconds, what }: { seconds: number; what: string }) {
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return (
    <Shell title="Slow down">
      <div class="card center">
        <div style="font-size:2.5rem" aria-hidden="true">⏳</div>
        <h1>Too many attempts</h1>
        <p class="muted">
          {what} Please wait about <strong>{wait}</strong> and try again.
        </p>
        <a class="button secondary" href="/login">Back to sign in</a>
      </div>
    </Shell>
  );
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Shell title={status === 404 ? "Not found" : "Something went wrong"}>
      <div class="card center">
        <h1>
          {status === 404 ? "Page not found" : status === 403 ? "Request refused" : "Something went wrong"}
        </h1>
        <p class="muted">{message}</p>
        <a class="button secondary" href="/">Go to your account</a>
      </div>
    </Shell>
  );
}

// ---------------------------------------------------------------------------------------------
// Signed in

export interface AccountSummary {
  email: string;
  createdAt: number;
  totpEnabled: boolean;
  recoveryLeft: number;
  servers: {
    name: string;
    url: string;
    state: "active" | "suspended" | "deregistered";
    stateReason: string | null;
    /** Bytes and browser connections through the relays per day, newest first (metering). */
    traffic: { day: number; bytes: number; connections: number }[];
  }[];
  sessions: number;
  audit: AuditEntry[];
  /** Whether the operators' announcements reach this account. */
  announcements: boolean;
}

export function AccountPage({ a, chrome, notice }: { a: AccountSummary; chrome: Chrome; notice?: Notice }) {
  return (
    <Shell title="Your account" chrome={chrome}>
      <h1>Your account</h1>
      <p class="lead">{a.email}</p>
      <NoticeBox notice={notice} />
      <section class="card">
        <div class="row between">
          <h2>Your server</h2>
          <a href="/account/servers" class="small">Manage</a>
        </div>
        {a.servers.length
          ? a.servers.map((s) => (
            <div key={s.name} data-server={s.name}>
              <p style="margin:0">
                <a href={s.url}>{s.url.replace(/^https:\/\//, "")}</a> {s.state === "active"
                  ? <span class="badge ok">registered</span>
                  : (
                    <span class="badge" data-state={s.state}>
                      {`${s.state} (${s.stateReason ?? "other"})`}
                    </span>
                  )}
              </p>
              <p class="small muted" style="margin:.25rem 0 0">
                Through the relays: {bytes(s.traffic.slice(0, 1).reduce((n, d) => n + d.bytes, 0))} today,
                {" "}
                {bytes(s.traffic.reduce((n, d) => n + d.bytes, 0))} in 30 days,{" "}
                {s.traffic.reduce((n, d) => n + d.connections, 0)} connections in 30 days.
              </p>
            </div>
          ))
          : (
            <p class="muted" style="margin:0">
              No server yet. <a href="/account/servers">Claim your name</a> to set one up.
            </p>
          )}
      </section>
      <section class="card">
        <div class="row between">
          <h2>Security</h2>
          <a href="/account/security" class="small">Manage</a>
        </div>
        <p style="margin:0 0 .25rem">
          Two-step verification:{" "}
          {a.totpEnabled ? <span class="badge ok">on</span> : <span class="badge">off</span>}
        </p>
        {a.totpEnabled
          ? <p class="small muted" style="margin:0">{a.recoveryLeft} recovery codes left.</p>
          : (
            <p class="small muted" style="margin:0">
              <a href="/account/totp">Turn it on</a> to protect your account with an authenticator app.
            </p>
          )}
        <p class="small muted" style="margin:.5rem 0 0">
          {a.sessions} active session{a.sessions === 1 ? "" : "s"}.
        </p>
      </section>
      <section class="card" id="announcements">
        <div class="row between">
          <h2>Announcements</h2>
          <form method="post" action="/account/announcements">
            <input type="hidden" name="on" value={a.announcements ? "0" : "1"} />
            <button type="submit" class="secondary">{a.announcements ? "Turn off" : "Turn on"}</button>
          </form>
        </div>
        <p class="small muted" style="margin:0">
          {a.announcements
            ? "You get the occasional announcement from this Hearth service (maintenance, changes)."
            : "Announcements are off. Mail about your account's security still reaches you."}
        </p>
      </section>
      <section class="card" id="operator-actions">
        <h2>Operator actions</h2>
        <p class="small muted">
          Operators of this Hearth service can suspend or deregister a server; every such action is listed
          here, with who did it and why. They never see what your server holds.
        </p>
        <AuditTable entries={a.audit} />
      </section>
    </Shell>
  );
}

export function SecurityPage(
  { chrome, totpEnabled, recoveryLeft, sessions, currentSession, notice, errors = {} }: {
    chrome: Chrome;
    totpEnabled: boolean;
    recoveryLeft: number;
    sessions: { id: string; userAgent: string; ip: string; lastSeenAt: number; createdAt: number }[];
    currentSession: string;
    notice?: Notice;
    errors?: Record<string, string>;
  },
) {
  return (
    <Shell title="Security" chrome={chrome} wide>
      <h1>Security</h1>
      <p class="lead">Password, email, two-step verification and where you're signed in.</p>
      <NoticeBox notice={notice} />
      <section class="card">
        <h2>Two-step verification</h2>
        {totpEnabled
          ? (
            <>
              <p>
                <span class="badge ok">on</span> Codes from your authenticator app are required to sign in.
                {" "}
                {recoveryLeft} recovery codes left.
              </p>
              <form method="post" action="/account/recovery-codes" class="row">
                <input
                  type="password"
                  name="password"
                  autocomplete="current-password"
                  placeholder="Current password"
                  aria-label="Current password"
                  required
                  style="max-width:16rem"
                />
                <button type="submit" class="secondary">New recovery codes</button>
              </form>
              <form method="post" action="/account/totp/disable" class="row" style="margin-top:.75rem">
                <input
                  type="password"
                  name="password"
                  autocomplete="current-password"
                  placeholder="Current password"
                  aria-label="Current password to turn off"
                  required
                  style="max-width:16rem"
                />
                <button type="submit" class="danger">Turn off</button>
              </form>
              {errors.totp ? <p class="small" style="color:var(--danger)">{errors.totp}</p> : ""}
            </>
          )
          : (
            <>
              <p class="muted">
                Add a second step with any authenticator app (1Password, Aegis, Google Authenticator…).
              </p>
              <a class="button" href="/account/totp">Set up two-step verification</a>
            </>
          )}
      </section>
      <section class="card">
        <h2>Change password</h2>
        <form method="post" action="/account/password">
          <Field
            label="Current password"
            name="current"
            type="password"
            autocomplete="current-password"
            error={errors.current}
          />
          <Field
            label="New password"
            name="password"
            type="password"
            autocomplete="new-password"
            error={errors.password}
            hint="At least 10 characters. Your other sessions will be signed out."
          />
          <button type="submit">Change password</button>
        </form>
      </section>
      <section class="card">
        <h2>Change email</h2>
        <form method="post" action="/account/email">
          <Field label="New email" name="email" type="email" autocomplete="email" error={errors.email} />
          <Field
            label="Current password"
            name="password"
            type="password"
            autocomplete="current-password"
            error={errors.emailPassword}
          />
          <button type="submit">Send confirmation link</button>
        </form>
      </section>
      <section class="card">
        <h2>Where you're signed in</h2>
        <table>
          <thead>
            <tr>
              <th>Device</th>
              <th>Address</th>
              <th>Last active</th>
              <th>
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr>
                <td>
                  {describeAgent(s.userAgent)}{" "}
                  {s.id === currentSession ? <span class="badge ok">this device</span> : ""}
                </td>
                <td class="mono small">{s.ip}</td>
                <td class="small">{formatTime(s.lastSeenAt)}</td>
                <td style="text-align:right">
                  {s.id === currentSession
                    ? ""
                    : (
                      <form method="post" action={`/account/sessions/${s.id}/revoke`}>
                        <button type="submit" class="danger">Sign out</button>
                      </form>
                    )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Shell>
  );
}

export function TotpEnrolPage({ chrome, qrSvg, secret, uri, error }: {
  chrome: Chrome;
  qrSvg: string;
  secret: string;
  uri: string;
  error?: string;
}) {
  return (
    <Shell title="Set up two-step verification" chrome={chrome}>
      <h1>Set up two-step verification</h1>
      <p class="lead">Scan this code with your authenticator app, then enter the code it shows.</p>
      <div class="card">
        <figure style="margin:0" data-otpauth-uri={uri}>
          <div class="qr" role="img" aria-label="QR code for your authenticator app">{raw(qrSvg)}</div>
          <figcaption class="small muted center">Can't scan? Enter this key instead:</figcaption>
        </figure>
        <code class="secret center" id="totp-secret">{secret.replace(/(.{4})/g, "$1 ").trim()}</code>
        <form method="post" action="/account/totp" style="margin-top:1.25rem">
          <Field
            label="Code from the app"
            name="code"
            autocomplete="one-time-code"
            inputmode="numeric"
            cls="code"
            error={error}
            autofocus
          />
          <button type="submit" class="block">Turn on</button>
        </form>
        <form method="post" action="/account/totp/restart" style="margin-top:.75rem">
          <button type="submit" class="secondary block">Start over with a new key</button>
        </form>
      </div>
    </Shell>
  );
}

/** The recovery codes as a file a person can keep. */
export function recoveryCodesFile(codes: string[]): string {
  return `Hearth recovery codes — each works once, if you lose your authenticator app.\n\n${
    codes.join("\n")
  }\n`;
}

export function RecoveryCodesPage(
  { chrome, codes, fresh }: { chrome: Chrome; codes: string[]; fresh: boolean },
) {
  return (
    <Shell title="Your recovery codes" chrome={chrome}>
      <h1>{fresh ? "Two-step verification is on" : "New recovery codes"}</h1>
      <p class="lead">
        Keep these recovery codes somewhere safe. Each works once, if you lose your authenticator app. They
        won't be shown again.
      </p>
      <div class="card">
        <ul class="codes" aria-label="Recovery codes">
          {codes.map(codeItem)}
        </ul>
        {/* Shown by the page's one script (edge/id/client/recovery_codes.ts); without it, the download remains. */}
        <button type="button" class="secondary block" data-copy-codes hidden style="margin-bottom:.75rem">
          Copy the codes
        </button>
        {/* A download needs no script: the codes travel in the link itself. */}
        <a
          class="button secondary block"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(recoveryCodesFile(codes))}`}
          download="hearth-recovery-codes.txt"
          style="margin-bottom:.75rem"
        >
          Download as a text file
        </a>
        <a class="button block" href="/account">I've saved them</a>
      </div>
      <script type="module" src={ID_SCRIPT_PATH}></script>
    </Shell>
  );
}

export function ServersPage({ chrome, zone, servers, pending, claimed, error, name }: {
  chrome: Chrome;
  zone: string;
  servers: { name: string; url: string }[];
  pending: { name: string; expiresAt: number }[];
  claimed?: { name: string; token: string; expiresAt: number };
  error?: string;
  name?: string;
}) {
  return (
    <Shell title="Your server" chrome={{ ...chrome, current: "servers" }} wide>
      <h1>Your server</h1>
      <p class="lead">
        Your Hearth server runs on your own machine and is reachable as <code>name.{zone}</code>.
      </p>
      {claimed
        ? (
          <section class="card">
            <h2>Register {claimed.name}.{zone}</h2>
            <p>
              On the machine that will run your server, run this once. The token works once, for 24 hours.
            </p>
            <code class="secret" id="registration-command">bun run userserver register {claimed.token}</code>
            <p class="small muted" style="margin-top:.75rem">
              Or open your server's local setup page and paste the token:{" "}
              <code id="registration-token">{claimed.token}</code>
            </p>
          </section>
        )
        : ""}
      {servers.length
        ? (
          <section class="card">
            <h2>Registered</h2>
            {servers.map((s) => (
              <p class="row between" style="margin:0">
                <a href={s.url}>{s.url.replace(/^https:\/\//, "")}</a>
                <span class="badge ok">registered</span>
              </p>
            ))}
          </section>
        )
        : ""}
      {pending.length && !claimed
        ? (
          <section class="card">
            <h2>Waiting for registration</h2>
            {pending.map((p) => (
              <p class="muted" style="margin:0">
                {p.name}.{zone} — token valid until {formatTime(p.expiresAt)}
              </p>
            ))}
          </section>
        )
        : ""}
      <section class="card">
        <h2>{servers.length ? "Reinstall or move your server" : "Claim your name"}</h2>
        <form method="post" action="/account/servers">
          <Field
            label="Name"
            name="name"
            value={name ?? servers[0]?.name}
            autocomplete="off"
            error={error}
            hint={`Lower-case letters, digits and hyphens. Your server will be at name.${zone}.`}
          />
          <button type="submit">{servers.length ? "Get a new registration token" : "Claim name"}</button>
        </form>
      </section>
    </Shell>
  );
}

function codeItem(code: string) {
  return <li>{code}</li>;
}

function describeAgent(ua: string): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Chrome\//.test(ua)
    ? "Chrome"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Safari\//.test(ua)
    ? "Safari"
    : /curl\//.test(ua)
    ? "curl"
    : ua.split(/[ /]/)[0].slice(0, 24);
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Mac OS X/.test(ua)
    ? "macOS"
    : /Linux/.test(ua)
    ? "Linux"
    : "";
  return os ? `${browser} on ${os}` : browser;
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** IdCloud asks the owner to confirm a sign-in on the computer that runs her server (issue #21). */
export function LocalConfirmPage({ chrome, name, action }: { chrome: Chrome; name: string; action: string }) {
  return (
    <Shell title="Sign in on this computer" chrome={chrome}>
      <div class="card">
        <h1>Sign in on this computer?</h1>
        <p>
          A browser asks to open{" "}
          <strong>{name}</strong>'s Hearth directly, on the computer that runs it. Confirm only if you just
          chose "Sign in on this computer" there yourself.
        </p>
        <form method="post" action={action}>
          <button type="submit">Yes, sign in on that computer</button>
        </form>
        <p class="muted">
          <a href="/account">No, this was not me</a>
        </p>
      </div>
    </Shell>
  );
}

/** A person followed an announcement's unsubscribe link: one button (a GET never unsubscribes). */
export function UnsubscribePage({ action }: { action: string }) {
  return (
    <Shell title="Unsubscribe">
      <div class="card center">
        <h1>Stop announcements?</h1>
        <p class="muted">
          You will no longer get announcements from this Hearth service. Mail about your account's security is
          not affected.
        </p>
        <form method="post" action={action}>
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <button type="submit">Unsubscribe</button>
        </form>
      </div>
    </Shell>
  );
}

/**
 * The operators' console pages (Hono JSX, the shared look of shared/ui). Full pages wrap in
 * `ConsoleShell`; the relays table is also the fragment the live stream (`/console/live`) sends,
 * which htmx's SSE extension swaps in. Forms post and redirect, so the console works without
 * JavaScript; only the live table needs it.
 */
import type { Child } from "hono/jsx";
import { Head } from "../../shared/ui/head.tsx";
import type { AuditEntry } from "./audit.ts";
import type { EventFilter, Liveness } from "./queries.ts";
import type { userList } from "./queries.ts";
import { REASON_CODES, REASONS } from "./reasons.ts";

export const CONSOLE_SCRIPTS = ["/console/_static/htmx.min.js", "/console/_static/hx-sse.min.js"];
const CSS = `.state-alive{color:var(--ok);font-weight:600}.state-dead{color:var(--danger);font-weight:600}
.state-suspended,.state-deregistered{color:var(--danger);font-weight:600}main.wide{max-width:72rem}
td form{display:flex;gap:.3rem;flex-wrap:wrap;margin:0}td select,td input{width:auto;padding:.25rem}`;

export const time = (ms: number | null | undefined) =>
  ms == null ? "—" : new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
export const bytes = (n: number) =>
  n < 1024
    ? `${n} B`
    : n < 1024 ** 2
    ? `${(n / 1024).toFixed(1)} KiB`
    : n < 1024 ** 3
    ? `${(n / 1024 ** 2).toFixed(1)} MiB`
    : `${(n / 1024 ** 3).toFixed(2)} GiB`;
const duration = (ms: number | null) => {
  if (ms == null) return "—";
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
};

export function ConsoleShell(
  { title, current, email, children }: { title: string; current: string; email: string; children: Child },
) {
  const nav = [
    ["/console", "Relays"],
    ["/console/events", "Tunnel events"],
    ["/console/users", "Users"],
    ["/console/announce", "Announce"],
    ["/console/audit", "Audit log"],
  ];
  return (
    <html lang="en">
      <Head title={`${title} · Hearth console`} css={CSS} scripts={CONSOLE_SCRIPTS} />
      <body>
        <header class="topbar">
          <a class="brand" href="/console">
            <span class="brand-mark" aria-hidden="true">H</span>
            <span>
              Hearth <span class="muted area">Console</span>
            </span>
          </a>
          <nav aria-label="Console">
            {nav.map(([href, label]) => (
              <a key={href} href={href} aria-current={current === href ? "page" : undefined}>{label}</a>
            ))}
            <span class="muted small">{email}</span>
          </nav>
        </header>
        <main class="wide">{children}</main>
      </body>
    </html>
  );
}

export function LivenessTables({ live }: { live: Liveness }) {
  return (
    <div id="liveness">
      <h2>Relays</h2>
      <table>
        <thead>
          <tr>
            <th>Relay</th>
            <th>State</th>
            <th>Last heartbeat</th>
            <th>Tunnels</th>
            <th>Streams</th>
            <th>Bytes/s</th>
            <th>Version</th>
            <th>Uptime</th>
          </tr>
        </thead>
        <tbody>
          {live.relays.map((r) => (
            <tr key={r.id} data-relay={r.id} data-state={r.state}>
              <td>
                <strong>{r.id}</strong> <span class="muted small">{r.hostName}</span>
              </td>
              <td class={`state-${r.state}`}>{r.state}</td>
              <td>{time(r.lastHeartbeatAt)}</td>
              <td>{r.load.tunnels}</td>
              <td>{r.load.streams}</td>
              <td>{bytes(Math.round(r.load.bytesPerSecond))}</td>
              <td>{r.version ?? "—"}</td>
              <td>{duration(r.uptimeMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>DNS fronts</h2>
      {live.dnsFronts.length
        ? (
          <table>
            <thead>
              <tr>
                <th>Front</th>
                <th>State</th>
                <th>Last snapshot fetch</th>
              </tr>
            </thead>
            <tbody>
              {live.dnsFronts.map((f) => (
                <tr key={f.id} data-front={f.id} data-state={f.state}>
                  <td>
                    <strong>{f.id}</strong> <span class="muted small">{f.hostName}</span>
                  </td>
                  <td class={`state-${f.state}`}>{f.state}</td>
                  <td>{time(f.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">No DNS front is registered (DoH on the cloud tier only).</p>}
      <h2>Tunnels now</h2>
      {live.tunnels.length
        ? (
          <table>
            <thead>
              <tr>
                <th>Server</th>
                <th>Relay</th>
                <th>From</th>
                <th>Up since</th>
              </tr>
            </thead>
            <tbody>
              {live.tunnels.map((t) => (
                <tr key={`${t.server}/${t.relayId}`} data-tunnel={`${t.server}@${t.relayId}`}>
                  <td>{t.server}</td>
                  <td>{t.relayId}</td>
                  <td class="mono">{t.remoteAddress}</td>
                  <td>{time(t.upAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">No tunnels are up.</p>}
      <p class="small muted">As of {time(live.at)}.</p>
    </div>
  );
}

export function RelaysPage({ live, email }: { live: Liveness; email: string }) {
  return (
    <ConsoleShell title="Relays" current="/console" email={email}>
      <h1>Relays and DNS</h1>
      <p class="small muted">
        Live: this page updates itself. Also as JSON:{" "}
        <a href="/console/api/liveness">/console/api/liveness</a>.
      </p>
      <section class="card" hx-sse:connect="/console/live" hx-swap="innerHTML">
        <LivenessTables live={live} />
      </section>
    </ConsoleShell>
  );
}

type EventRow = {
  id: number;
  at: number;
  kind: string;
  server: string;
  relayId: string;
  remoteAddress: string;
  durationMs: number | null;
};

export function EventsPage(
  { events, next, filter, email }: {
    events: EventRow[];
    next: number | null;
    filter: EventFilter;
    email: string;
  },
) {
  const q = (extra: Record<string, string>) =>
    new URLSearchParams(
      Object.entries({ server: filter.server, relay: filter.relay, kind: filter.kind, ...extra })
        .filter((e): e is [string, string] => !!e[1]),
    ).toString();
  return (
    <ConsoleShell title="Tunnel events" current="/console/events" email={email}>
      <h1>Tunnel events</h1>
      <form method="get" action="/console/events" class="row">
        <input name="server" placeholder="Server name" value={filter.server ?? ""} aria-label="Server name" />
        <input name="relay" placeholder="Relay id" value={filter.relay ?? ""} aria-label="Relay id" />
        <select name="kind" aria-label="Kind">
          <option value="">up and down</option>
          <option value="tunnel_up" selected={filter.kind === "tunnel_up"}>up</option>
          <option value="tunnel_down" selected={filter.kind === "tunnel_down"}>down</option>
        </select>
        <button type="submit">Filter</button>
        <a class="small" href={`/console/api/events?${q({})}`}>JSON</a>
      </form>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Server</th>
            <th>Relay</th>
            <th>From</th>
            <th>Event</th>
            <th>Was up for</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{time(e.at)}</td>
              <td>{e.server}</td>
              <td>{e.relayId}</td>
              <td class="mono">{e.remoteAddress}</td>
              <td>{e.kind === "tunnel_up" ? "up" : "down"}</td>
              <td>{duration(e.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.length ? "" : <p class="muted">No events match.</p>}
      {next ? <a href={`/console/events?${q({ before: String(next) })}`}>Older events</a> : ""}
    </ConsoleShell>
  );
}

export function UsersPage(
  { users, email, notice }: {
    users: Awaited<ReturnType<typeof userList>>;
    email: string;
    notice?: { kind: "ok" | "error"; text: string };
  },
) {
  return (
    <ConsoleShell title="Users" current="/console/users" email={email}>
      <h1>Users and servers</h1>
      {notice
        ? (
          <div class={`notice ${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
            {notice.text}
          </div>
        )
        : ""}
      <p class="small muted">
        Also as JSON:{" "}
        <a href="/console/api/users">/console/api/users</a>. Every action below is audited and shown to the
        user.
      </p>
      <table>
        <thead>
          <tr>
            <th>Server</th>
            <th>Account</th>
            <th>Registered</th>
            <th>Tunnels</th>
            <th>Last tunnel</th>
            <th>24 h</th>
            <th>30 days</th>
            <th>State</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.serverId} data-server={u.name} data-state={u.state}>
              <td>
                <strong>{u.name}</strong>
              </td>
              <td>{u.account ?? "—"}</td>
              <td>{time(u.registeredAt)}</td>
              <td>{u.tunnelsNow}</td>
              <td>{time(u.lastTunnelAt)}</td>
              <td>{bytes(u.bytes24h)}</td>
              <td>{bytes(u.bytes30d)}</td>
              <td class={`state-${u.state}`}>
                {u.state}
                {u.reason ? <span class="muted small">{` (${u.reason})`}</span> : ""}
              </td>
              <td>
                {u.state === "deregistered"
                  ? "—"
                  : (
                    <form method="post" action={`/console/servers/${u.name}/state`}>
                      <select name="action" aria-label={`Action on ${u.name}`}>
                        {u.state === "active"
                          ? <option value="suspend">Suspend</option>
                          : <option value="unsuspend">Reinstate</option>}
                        <option value="deregister">Deregister</option>
                      </select>
                      <select name="reason" aria-label={`Reason for ${u.name}`}>
                        {REASON_CODES.map((r) => <option key={r} value={r} title={REASONS[r]}>{r}</option>)}
                      </select>
                      <input
                        name="note"
                        placeholder="Note (shown to the user)"
                        aria-label={`Note for ${u.name}`}
                      />
                      <button type="submit" class="secondary">Apply</button>
                    </form>
                  )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ConsoleShell>
  );
}

export function AuditPage(
  { entries, next, email }: { entries: AuditEntry[]; next: number | null; email: string },
) {
  return (
    <ConsoleShell title="Audit log" current="/console/audit" email={email}>
      <h1>Audit log</h1>
      <AuditTable entries={entries} />
      {next ? <a href={`/console/audit?before=${next}`}>Older entries</a> : ""}
    </ConsoleShell>
  );
}

/** The audit table, shared with the account page of IdCloud (what was done to the user). */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  if (!entries.length) return <p class="muted">No operator actions.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>When</th>
          <th>Operator</th>
          <th>Action</th>
          <th>Server</th>
          <th>Reason</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id} data-audit={e.action}>
            <td>{time(e.at)}</td>
            <td>{e.actorEmail}</td>
            <td>{e.action}</td>
            <td>{e.serverName ?? "—"}</td>
            <td>{e.reasonCode ? `${e.reasonCode}` : "—"}</td>
            <td>{e.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface AnnounceForm {
  subject: string;
  body: string;
  registeredAfter: string;
  registeredBefore: string;
  activeDays: string;
  relay: string;
}

export function AnnouncePage(
  { form, email, preview, notice }: {
    form: AnnounceForm;
    email: string;
    preview?: { recipients: string[]; text: string };
    notice?: { kind: "ok" | "error"; text: string };
  },
) {
  return (
    <ConsoleShell title="Announce" current="/console/announce" email={email}>
      <h1>Announcement</h1>
      {notice
        ? (
          <div class={`notice ${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
            {notice.text}
          </div>
        )
        : ""}
      <form method="post" action="/console/announce" class="card">
        <div class="field">
          <label for="a-subject">Subject</label>
          <input id="a-subject" name="subject" required maxlength={200} value={form.subject} />
        </div>
        <div class="field">
          <label for="a-body">Message (blank lines separate paragraphs)</label>
          <textarea id="a-body" name="body" required rows={8} maxlength={20000}>{form.body}</textarea>
        </div>
        <h2>To</h2>
        <p class="small muted">
          Verified accounts that did not unsubscribe; leave a filter empty to ignore it. Every mail carries a
          one-click unsubscribe link.
        </p>
        <div class="row">
          <label>
            Registered on or after <input type="date" name="registered_after" value={form.registeredAfter} />
          </label>
          <label>
            Registered before <input type="date" name="registered_before" value={form.registeredBefore} />
          </label>
          <label>
            Active in the last <input type="number" min="1" name="active_days" value={form.activeDays} /> days
          </label>
          <label>
            Using relay <input name="relay" value={form.relay} placeholder="relay-a" />
          </label>
        </div>
        <div class="row">
          <button type="submit" name="step" value="preview" class="secondary">Preview</button>
          {preview
            ? <button type="submit" name="step" value="send">Send to {preview.recipients.length}</button>
            : ""}
        </div>
      </form>
      {preview
        ? (
          <section class="card" id="preview">
            <h2>{preview.recipients.length} recipients</h2>
            <p class="small" data-recipients={String(preview.recipients.length)}>
              {preview.recipients.join(", ")}
            </p>
            <pre style="white-space:pre-wrap">{preview.text}</pre>
          </section>
        )
        : ""}
    </ConsoleShell>
  );
}

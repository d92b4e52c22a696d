/** The "WebDAV and app passwords" section of Settings, and its two forms (create, revoke). */
import type { Child } from "hono/jsx";
import type { AppPassword } from "./app_passwords.ts";

export function AppPasswordsSection(
  { list, davUrl, created, error }: {
    list: AppPassword[];
    davUrl: string;
    created?: { label: string; password: string };
    error?: string;
  },
): Child {
  return (
    <div id="app-passwords">
      <p>
        Mount your files in Finder, Windows Explorer, GNOME Files or rclone at{" "}
        <code class="mono">{davUrl}</code> with your server name as the user and an app password below.
      </p>
      {created && (
        <div class="notice" role="status">
          <p>
            App password for <strong>{created.label}</strong> — copy it now, it is shown only once:
          </p>
          <p>
            <code class="mono" id="new-app-password">{created.password}</code>
          </p>
        </div>
      )}
      {error && <p class="notice error" role="alert">{error}</p>}
      <form method="post" action="/settings/app-passwords" class="row">
        <label for="app-password-label">Device name</label>
        <input
          id="app-password-label"
          name="label"
          required
          maxlength={80}
          placeholder="e.g. Laptop (Finder)"
        />
        <button type="submit">Create app password</button>
      </form>
      {list.length === 0 ? <p class="muted">No app passwords yet.</p> : (
        <table>
          <caption class="sr-only">App passwords</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{p.label}</td>
                <td>{new Date(p.createdAt).toISOString().slice(0, 16).replace("T", " ")}</td>
                <td>
                  {p.lastUsedAt
                    ? `${new Date(p.lastUsedAt).toISOString().slice(0, 16).replace("T", " ")}${
                      p.lastUsedFrom ? ` from ${p.lastUsedFrom}` : ""
                    }`
                    : "never"}
                </td>
                <td>
                  <form method="post" action={`/settings/app-passwords/${p.id}/revoke`}>
                    <button type="submit" class="danger" aria-label={`Revoke ${p.label}`}>Revoke</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

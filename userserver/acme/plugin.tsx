/**
 * The certificate's state in Settings ("Certificate": who issued it, expires when, last renewal,
 * next attempt, last error) and the owner's "Renew now". Only with `acme` configured.
 */
import { Hono } from "hono";
import type { AcmeState } from "../../platform/acme/keeper.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { formatTime } from "../web/format.ts";

export interface AcmeControl {
  state(): AcmeState;
  renewNow(): Promise<void>;
  revoke(): Promise<void>;
}

export function acmePlugin(acme: AcmeControl): Plugin {
  return {
    id: "acme",
    app: () => {
      const app = new Hono<ShellEnv>();
      // The order runs on; its outcome shows in the state (the page reloads to it).
      app.post("/settings/certificate/renew", (c) => {
        void acme.renewNow().catch(() => {});
        return c.redirect("/settings#settings-certificate", 303);
      });
      // A key thought exposed: the CA revokes the certificate, and a new one is ordered at once
      // (for a new key only if tls.key is replaced by hand; the key never leaves this machine).
      app.post("/settings/certificate/revoke", async (c) => {
        try {
          await acme.revoke();
        } catch (e) {
          return c.text(`The certificate could not be revoked: ${(e as Error).message}`, 502);
        }
        void acme.renewNow().catch(() => {});
        return c.redirect("/settings#settings-certificate", 303);
      });
      return app;
    },
    settings: {
      id: "certificate",
      title: "Certificate",
      render: () => <CertificateState state={acme.state()} />,
    },
  };
}

const when = (ms: number | undefined) => ms === undefined ? "—" : formatTime(ms);

function CertificateState({ state: s }: { state: AcmeState }) {
  const status = s.busy
    ? "ordering a certificate now…"
    : s.revokedAt
    ? "revoked; a new one is being ordered"
    : s.serial
    ? s.lastError ? "valid; the last renewal failed" : "valid"
    : s.lastError
    ? "none from the ACME CA yet: the last order failed"
    : "none from the ACME CA yet";
  return (
    <div>
      <dl class="info" data-acme-status={s.lastError ? "error" : s.serial ? "ok" : "pending"}>
        <dt>From</dt>
        <dd class="mono">{s.directoryUrl} (ACME DNS-01)</dd>
        <dt>Status</dt>
        <dd data-field="status">{status}</dd>
        <dt>Expires</dt>
        <dd data-field="expires">{when(s.notAfter)}</dd>
        <dt>Last renewal</dt>
        <dd data-field="last-renewal">{when(s.lastRenewalAt)}</dd>
        <dt>Next attempt</dt>
        <dd data-field="next-attempt">{when(s.nextAttemptAt)}</dd>
        <dt>Last error</dt>
        <dd data-field="last-error">
          {s.lastError
            ? `${s.lastError} (${when(s.lastErrorAt)}, ${s.failures} failure(s) in a row)`
            : "none"}
        </dd>
      </dl>
      <form method="post" action="/settings/certificate/renew">
        <button type="submit" disabled={s.busy}>Renew now</button>
      </form>
      <form method="post" action="/settings/certificate/revoke">
        <button type="submit" class="danger" disabled={s.busy || !s.serial}>Revoke and replace</button>
      </form>
    </div>
  );
}

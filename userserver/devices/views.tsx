/** The devices plugin's pages: the owner's list and pairing page, and the phone's pairing pages. */
import { type Notice, Notices } from "../web/notices.tsx";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { Layout } from "../web/layout_public.tsx";
import { Time } from "../web/time.tsx";
import { type Device, type Pairing, PAIRING_MS, type PairingRefusal } from "./store.ts";

export function DevicesList({ devices, notices, now }: { devices: Device[]; notices: Notice; now: number }) {
  return (
    <section class="card">
      <h1>Devices</h1>
      <Notices {...notices} />
      <p>
        A paired phone opens your files through the relays like this browser does — no password to type, no
        app store. It cannot pair others, see devices or change Settings.
      </p>
      <form method="post" action="/devices/pair">
        <button type="submit">Pair a phone</button>
      </form>
      <h2>Paired</h2>
      {devices.length === 0
        ? <p class="muted">No devices yet.</p>
        : (
          <ul class="items" aria-label="Paired devices">
            {devices.map((d) => (
              <li key={d.id} data-device={d.id} style="grid-template-columns: minmax(0, 1fr) auto">
                <span class="name">
                  <strong>{d.name}</strong> <span class="muted">{d.platform}</span>
                  <br />
                  <span class="muted small">
                    paired <Time ms={d.pairedAt} />
                    {d.lastSeenAt && now - d.lastSeenAt > 0
                      ? (
                        <>
                          {" · last seen "}
                          <Time ms={d.lastSeenAt} />
                          {d.lastSeenFrom ? ` from ${d.lastSeenFrom}` : ""}
                        </>
                      )
                      : ""}
                  </span>
                </span>
                <form method="post" action={`/devices/${d.id}/revoke`}>
                  <button type="submit" class="danger small" aria-label={`Revoke ${d.name}`}>Revoke</button>
                </form>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

export function PairingPage({ panel }: { panel: Child }) {
  return (
    <section class="card">
      <h1>Pair a phone</h1>
      {panel}
      <p>
        <a href="/devices">Back to devices</a>
      </p>
    </section>
  );
}

/** A form that starts a new pairing (a new code) — after one was used, or expired. */
function NewCode({ label }: { label: string }) {
  return (
    <form method="post" action="/devices/pair">
      <button type="submit">{label}</button>
    </form>
  );
}

/**
 * The live panel (asked again every second while waiting): the QR code and the time left; once
 * the phone paired, its name in place of the code (which can never be used again); once expired,
 * that sentence. Either way a button for a new code. `qr` is undefined when this server no longer
 * holds the token (it restarted: tokens are never stored), so the code cannot be drawn again.
 */
export function PairingPanel(
  { pairing, device, now, qr, url }: {
    pairing: Pairing;
    device?: Device;
    now: number;
    qr?: string;
    url?: string;
  },
) {
  const done = pairing.usedAt !== null;
  const expired = !done && pairing.expiresAt <= now;
  const lost = !done && !expired && !qr;
  const live = !done && !expired && !lost;
  return (
    <div
      id="pairing-state"
      hx-get={live ? `/devices/pairings/${pairing.id}/state` : undefined}
      hx-trigger={live ? "every 1s" : undefined}
      hx-swap="outerHTML"
      data-state={done ? "paired" : expired ? "expired" : "waiting"}
    >
      {live && qr
        ? (
          <p>
            Scan this code with the phone's camera. It works once, for {PAIRING_MS / 60_000}{" "}
            minutes; nothing to type.
          </p>
        )
        : ""}
      {live && qr
        ? (
          <figure class="pair-qr" style="margin:0 0 1rem">
            {/* The SVG is ours (uqr), drawn from our own URL. */}
            <div
              role="img"
              aria-label="QR code of the pairing link"
              style="width:min(280px,80vw);aspect-ratio:1/1;background:#fff;padding:8px;border-radius:10px;border:1px solid var(--border)"
            >
              {raw(qr.replace("<svg ", '<svg width="100%" height="100%" style="display:block" '))}
            </div>
            <figcaption class="muted small" style="overflow-wrap:anywhere">{url}</figcaption>
          </figure>
        )
        : ""}
      <div role="status" aria-live="polite">
        {done
          ? (
            <p class="notice ok">
              Paired: <strong>{device?.name ?? "a device"}</strong>
              {device && device.platform !== device.name ? ` (${device.platform})` : ""}. It can open your
              files now.
            </p>
          )
          : expired
          ? <p class="notice error">This code expired — make a new one.</p>
          : lost
          ? (
            <p class="notice error">
              This code can no longer be shown (the server restarted) — make a new one.
            </p>
          )
          : <p class="muted">Waiting for the phone… ({Math.ceil((pairing.expiresAt - now) / 1000)} s left)
          </p>}
      </div>
      {done ? <NewCode label="Pair another phone" /> : live ? "" : <NewCode label="Make a new code" />}
    </div>
  );
}

export function PairPage({ owner, suggested }: { owner: string; suggested: string }) {
  return (
    <Layout title={`Pair with ${owner}'s Hearth`}>
      <h1>Pair this device with {owner}'s Hearth</h1>
      <p>
        It will open {owner}'s files from anywhere, without a password. The owner can revoke it at any time.
      </p>
      <form method="post">
        <label for="pair-name">This device's name</label>
        <input id="pair-name" name="name" type="text" value={suggested} maxlength={60} required />
        <button type="submit" style="margin-top:1rem">Pair this device</button>
      </form>
    </Layout>
  );
}

const REFUSAL: Record<PairingRefusal, { title: string; text: string }> = {
  unknown: {
    title: "This pairing link is not valid",
    text: "Check that the whole code was scanned, or pair again.",
  },
  expired: {
    title: "This pairing link expired",
    text: "Pairing links work for five minutes. Pair again for a new one.",
  },
  used: {
    title: "This pairing link was already used",
    text: "Each link pairs one device, once. Pair again for a new one.",
  },
};

export function PairRefusedPage({ why }: { why: PairingRefusal }) {
  return (
    <Layout title={REFUSAL[why].title}>
      <h1>{REFUSAL[why].title}</h1>
      <p>{REFUSAL[why].text}</p>
    </Layout>
  );
}

export function PairedPage({ owner, name }: { owner: string; name: string }) {
  return (
    <Layout title="Paired">
      <h1>Paired</h1>
      <p>
        <strong>{name}</strong> can now open {owner}'s files.
      </p>
      <p>
        <a class="button" href="/browse">Open the files</a>
      </p>
    </Layout>
  );
}

/**
 * Devices, a plugin: pair a phone by scanning a QR code (Settings → Devices → "Pair a phone"), list
 * paired devices (name, platform, paired, last seen and from where) and revoke them. A paired
 * device is a `device` viewer — the owner's rights over files, not over devices, pairing, import
 * roots or anything else only the owner's session reaches (those routes admit no device).
 *
 * The credential: a random secret in a `__Host-` cookie (HttpOnly, Secure, SameSite=Lax), only its
 * SHA-256 stored, rotated on use at most daily. Chosen over a non-extractable WebCrypto key because
 * every request a phone's browser makes — a photo's `<img>`, a download, a page it opens from a
 * share — carries a cookie without any script, and HttpOnly keeps script (even an injected one)
 * from reading it; revocation is one row.
 */
import { Hono } from "hono";
import { renderSVG } from "uqr";
import type { Core } from "../core/mod.ts";
import type { Plugin, ShellEnv } from "../plugins/mod.ts";
import { form, page, redirectWith, takeNotice } from "../files/_http.tsx";
import { sessionCookie } from "../../shared/auth/session_token.ts";
import { clientAddress } from "../web/client_address.ts";
import { Devices, type Pairing, platformOf } from "./store.ts";
import { DevicesList, PairedPage, PairingPage, PairingPanel, PairPage, PairRefusedPage } from "./views.tsx";

export const DEVICE_COOKIE = sessionCookie("hearth-paired");
const COOKIE_MS = 400 * 24 * 3600_000;

export interface DevicesOptions {
  publicOrigin: string;
  now?: () => number;
}

export function devicesPlugin(core: Core, opts: DevicesOptions): Plugin {
  const now = opts.now ?? Date.now;
  const devices = new Devices(core.db, now);
  /** Tokens of open pairings, by pairing id: the owner's page draws the QR from it; never stored. */
  const tokens = new Map<string, { token: string; until: number }>();
  const urlOf = (token: string) => `${opts.publicOrigin}/pair/${token}`;

  return {
    id: "devices",
    // The pairing page is for a phone that has nothing yet; everything else is the owner's.
    viewers: { "/pair/": ["anonymous", "device", "friend", "linkGuest"] },
    async recognise(c) {
      const raw = DEVICE_COOKIE.get(c);
      if (!raw) return undefined;
      const verdict = await devices.verify(raw, clientAddress(c, core.sources));
      if (!verdict) return undefined;
      if (verdict.rotated) DEVICE_COOKIE.set(c, verdict.rotated, COOKIE_MS);
      return { kind: "device", id: verdict.device.id, name: verdict.device.name };
    },
    settings: {
      id: "devices",
      title: "Devices",
      render: async () => (
        <div>
          <p>
            {(await devices.list()).length} paired device(s).{" "}
            <a href="/devices">Pair a phone, see and revoke devices</a>
          </p>
        </div>
      ),
    },
    app: () => {
      const app = new Hono<ShellEnv>();

      app.get(
        "/devices",
        async (c) =>
          await page(
            c,
            "Devices",
            <DevicesList devices={await devices.list()} notices={takeNotice(c)} now={now()} />,
          ),
      );

      app.post("/devices/pair", async (c) => {
        const { pairing, token } = await devices.newPairing();
        for (const [id, t] of tokens) if (t.until < now()) tokens.delete(id);
        tokens.set(pairing.id, { token, until: pairing.expiresAt });
        return c.redirect(`/devices/pairings/${pairing.id}`, 303);
      });

      app.get("/devices/pairings/:id", async (c) => {
        const pairing = await devices.pairing(c.req.param("id"));
        if (!pairing) return c.notFound();
        return await page(
          c,
          "Pair a phone",
          <PairingPage panel={await panel(pairing)} />,
        );
      });

      // The owner's page asks every second: the code turns to the phone's name the moment it pairs.
      app.get("/devices/pairings/:id/state", async (c) => {
        const pairing = await devices.pairing(c.req.param("id"));
        if (!pairing) return c.notFound();
        c.header("cache-control", "no-store");
        return c.html(await panel(pairing));
      });

      app.post("/devices/:id/revoke", async (c) => {
        const d = await devices.get(c.req.param("id"));
        if (!d) return c.notFound();
        await devices.revoke(d.id);
        return redirectWith(c, "/devices", { ok: `${d.name} can no longer reach this server` });
      });

      app.post("/devices/:id/rename", async (c) => {
        const f = await form(c);
        await devices.rename(c.req.param("id"), String(f.name ?? ""));
        return redirectWith(c, "/devices", { ok: "Renamed" });
      });

      // The phone's side: the QR code's link.
      app.get("/pair/:token", async (c) => {
        const checked = await devices.check(c.req.param("token"));
        c.header("cache-control", "no-store");
        c.header("referrer-policy", "no-referrer");
        if ("refused" in checked) {
          return c.html(<PairRefusedPage why={checked.refused} />, checked.refused === "unknown" ? 404 : 410);
        }
        const ua = c.req.header("user-agent") ?? "";
        return c.html(<PairPage owner={core.config.current.name} suggested={platformOf(ua)} />);
      });

      app.post("/pair/:token", async (c) => {
        const f = await form(c);
        const ua = c.req.header("user-agent") ?? "";
        const paired = await devices.pair(c.req.param("token"), {
          name: String(f.name ?? ""),
          platform: platformOf(ua),
        });
        c.header("cache-control", "no-store");
        if ("refused" in paired) {
          return c.html(<PairRefusedPage why={paired.refused} />, paired.refused === "unknown" ? 404 : 410);
        }
        DEVICE_COOKIE.set(c, paired.cookie, COOKIE_MS);
        core.log.info("device paired", { device: paired.device.id, platform: paired.device.platform });
        return c.html(<PairedPage owner={core.config.current.name} name={paired.device.name} />);
      });
      return app;
    },
  };

  /** The pairing page's live panel: the code while it can still be used, else what became of it. */
  async function panel(pairing: Pairing) {
    const token = tokens.get(pairing.id)?.token;
    return (
      <PairingPanel
        pairing={pairing}
        device={pairing.deviceId ? await devices.get(pairing.deviceId) : undefined}
        now={now()}
        qr={token ? renderSVG(urlOf(token), { border: 2 }) : undefined}
        url={token ? urlOf(token) : undefined}
      />
    );
  }
}

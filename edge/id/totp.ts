/**
 * TOTP (RFC 6238, SHA-1, 6 digits, 30 s) for account login: enrolment shows the `otpauth://` URI
 * as a QR code (SVG); a code is accepted within ±1 step and only if its step is later than the
 * last one accepted for the account, so each code works once.
 */
import * as OTPAuth from "otpauth";
import { renderSVG } from "uqr";

export const TOTP_PERIOD_S = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, label = "account"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: "Hearth",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD_S,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

export function totpQrSvg(uri: string): string {
  return renderSVG(uri, { border: 2, pixelSize: 6, whiteColor: "#ffffff", blackColor: "#111111" });
}

/** The time step a valid `code` belongs to (±1 around `nowMs`), or null. */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  const clean = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(clean)) return null;
  const delta = totp(secret).validate({ token: clean, timestamp: nowMs, window: 1 });
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}

/** The code for `nowMs` (tests and the dev set-up). */
export function totpCode(secret: string, nowMs: number): string {
  return totp(secret).generate({ timestamp: nowMs });
}

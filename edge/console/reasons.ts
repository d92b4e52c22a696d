/**
 * Why an operator suspended or deregistered a server: a fixed list of codes, so the user, the
 * relay's refusal and the audit log all say the same thing; a free-text note may add detail.
 */
export const REASONS = {
  abuse: "Abuse of the service (e.g. attacks launched through it)",
  malware: "Distributing malware or phishing",
  illegal_content: "Content reported as illegal",
  legal_order: "A legal order",
  spam: "Sending spam",
  owner_request: "At the owner's request",
  inactive: "Unused for a long time",
  other: "Another reason (see the note)",
} as const;

export type ReasonCode = keyof typeof REASONS;
export const REASON_CODES = Object.keys(REASONS) as [ReasonCode, ...ReasonCode[]];

export function isReasonCode(value: string): value is ReasonCode {
  return Object.hasOwn(REASONS, value);
}

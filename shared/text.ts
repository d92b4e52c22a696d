/** Text from people and devices, made safe to show in one line and to log. */

/** `s` without control characters (C0 and DEL), by code point. */
export function withoutControlChars(s: string): string {
  return [...s].filter((ch) => ch.codePointAt(0)! >= 0x20 && ch !== "\u007f").join("");
}

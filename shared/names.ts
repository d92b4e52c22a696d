/**
 * User names: one DNS label each (`alice` in `alice.<zone>`), lower case. Some names belong to
 * the system (cloud names, `local`, relay names) and cannot be claimed. ARCHITECTURE.md §3.
 */

export const RESERVED_NAMES = new Set([
  "id",
  "reg",
  "www",
  "local",
  "mail",
  "smtp",
  "imap",
  "api",
  "admin",
  "root",
  "dns",
  "ns",
  "ns1",
  "ns2",
  "relay",
  "relays",
  "status",
  "static",
  "cdn",
  "auth",
  "login",
  "hearth",
  "localhost",
  "wpad",
  "autoconfig",
  "autodiscover",
  "_acme-challenge",
]);

export class NameError extends Error {
  override name = "NameError";
}

/** Throws `NameError` with a sentence a person can act on; returns the normalized name. */
export function checkUserName(input: string, { relayNames = [] as string[] } = {}): string {
  const name = input.trim().toLowerCase();
  if (name.length < 2 || name.length > 63) {
    throw new NameError(`Name "${input}" must be 2 to 63 characters long`);
  }
  if (name.startsWith("_")) throw new NameError(`Name "${input}" cannot start with "_"`);
  if (name.startsWith("xn--")) {
    throw new NameError(
      `Name "${input}" cannot start with "xn--" (internationalized names are not supported yet)`,
    );
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    throw new NameError(`Name "${input}" may contain only letters a-z, digits and "-"`);
  }
  if (name.startsWith("-") || name.endsWith("-")) {
    throw new NameError(`Name "${input}" cannot start or end with "-"`);
  }
  if (/^[0-9]+$/.test(name)) throw new NameError(`Name "${input}" cannot be only digits`);
  if (RESERVED_NAMES.has(name) || /^relay-/.test(name) || relayNames.includes(name)) {
    throw new NameError(`Name "${input}" is reserved`);
  }
  return name;
}

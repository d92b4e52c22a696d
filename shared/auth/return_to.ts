/**
 * Where to send a browser after sign-in: only a same-origin relative path is accepted, anything
 * else becomes `fallback`. Open redirects hide in the details: `//host`, `/\host`, control
 * characters browsers strip, and dot segments that normalise `/.//x` into `//x`.
 */
export function safeReturnTo(value: string | undefined | null, fallback = "/"): string {
  if (!value || typeof value !== "string") return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\\]/.test(value)) return fallback;
  try {
    const u = new URL(value, "https://same.invalid");
    if (u.origin !== "https://same.invalid") return fallback;
    const out = u.pathname + u.search + u.hash;
    return out.startsWith("//") ? fallback : out;
  } catch {
    return fallback;
  }
}

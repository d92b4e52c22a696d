/**
 * Media types guessed from a name's extension: Bun's table, corrected where it misleads a file
 * manager (TypeScript is not JavaScript; `.rs` is Rust, not an XML format) and filled in for
 * common source files it does not know.
 */
const OVERRIDES: Record<string, string> = {
  ts: "text/x-typescript",
  mts: "text/x-typescript",
  cts: "text/x-typescript",
  tsx: "text/x-typescript",
  rs: "text/x-rust",
  go: "text/x-go",
  py: "text/x-python",
};

/** A media type guessed from the name's extension (`application/octet-stream` when unknown). */
export function mediaTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  if (Object.hasOwn(OVERRIDES, ext)) return OVERRIDES[ext];
  return Bun.file(name).type.split(";")[0] || "application/octet-stream";
}

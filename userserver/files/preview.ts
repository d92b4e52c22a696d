/** What kind of preview a file gets (text with line numbers, image, pdf, video, audio or none). */
import type { Item } from "../store/mod.ts";
import type { PreviewKind } from "./views.tsx";

/** Text files up to this size are shown with line numbers and can be edited. */
export const MAX_TEXT_PREVIEW = 2 * 1024 * 1024;
const TEXT_TYPES = new Set([
  "application/json",
  "application/javascript",
  "application/xml",
  "application/x-yaml",
  "application/yaml",
  "application/toml",
  "application/x-sh",
  "application/sql",
  "image/svg+xml",
]);
const CODE_EXT =
  /\.(ts|tsx|js|jsx|mjs|cjs|json|md|markdown|txt|csv|tsv|log|ini|conf|cfg|toml|ya?ml|xml|html?|css|scss|sh|bash|zsh|py|rb|go|rs|java|kt|c|h|cc|cpp|hpp|cs|swift|php|pl|lua|sql|env|gitignore|dockerfile|makefile)$/i;

export function previewKind(item: Item): PreviewKind {
  const t = item.type;
  if (CODE_EXT.test(item.name) || t.startsWith("text/") || TEXT_TYPES.has(t)) return "text";
  if (t.startsWith("image/")) return "image";
  if (t === "application/pdf") return "pdf";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("audio/")) return "audio";
  return "none";
}

/** Plain text, Markdown, code, CSV and HTML: bytes → text, with the character set detected. */
import { detect } from "chardet";
import iconv from "iconv-lite";
import { convert } from "html-to-text";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes as UTF-8 when it is valid UTF-8, else in the detected legacy set (Latin-1 as a last resort). */
export function decodeText(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return UTF8.decode(body);
  } catch {
    // A cut at the read limit can split a UTF-8 sequence: retry without the last 3 bytes.
    try {
      return UTF8.decode(body.subarray(0, Math.max(0, body.length - 3)));
    } catch { /* not UTF-8 */ }
  }
  // Not UTF-8, so a guess of ASCII or UTF-8 (short texts) is wrong: Windows-1252 is then likeliest.
  const guess = detect(body);
  const charset = guess && !/^(ascii|utf-8)$/i.test(guess) && iconv.encodingExists(guess)
    ? guess
    : "windows-1252";
  return iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), charset);
}

/** The text of an HTML page, without tags, scripts or styles. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
    ],
  });
}

const CODE_EXTENSIONS = new Set(
  ("md markdown txt text csv tsv log ini cfg conf toml yaml yml json xml svg ts tsx js jsx mjs cjs py rb go rs " +
    "java kt c h cc cpp hpp cs swift php pl sh bash zsh sql css scss less vue lua r m tex rst org srt vtt")
    .split(" "),
);

/** Whether a file of this media type or name is read as text. */
export function isTextLike(type: string, name: string): boolean {
  if (type.startsWith("text/")) return true;
  if (/^application\/(json|xml|javascript|x-sh|sql|yaml|toml|x-yaml)/.test(type)) return true;
  if (/\+(xml|json)$/.test(type)) return true;
  const ext = name.toLowerCase().split(".").at(-1) ?? "";
  return name.includes(".") && CODE_EXTENSIONS.has(ext);
}

export function isHtml(type: string, name: string): boolean {
  return type === "text/html" || /\.x?html?$/i.test(name);
}

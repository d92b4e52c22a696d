/**
 * Comments' Markdown: a safe subset rendered by markdown-it with raw HTML off (any `<tag>` a person
 * types is shown as text), no images (a comment cannot make a visitor's browser fetch anything),
 * no headings or tables; links only to http(s) and mailto, opened without a referrer.
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt("zero", { html: false, linkify: true, breaks: true })
  .enable([
    "paragraph",
    "newline",
    "emphasis",
    "backticks",
    "fence",
    "code",
    "list",
    "blockquote",
    "link",
    "linkify",
    "escape",
    "entity",
    "strikethrough",
  ]);

const SAFE_LINK = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx]!.attrSet("rel", "nofollow noopener noreferrer");
  tokens[idx]!.attrSet("target", "_blank");
  return self.renderToken(tokens, idx, options);
};

export const MAX_COMMENT = 10_000;

/** The comment's text as HTML (escaped; only the subset's own tags). */
export function renderMarkdown(text: string): string {
  return md.render(text.slice(0, MAX_COMMENT));
}

import { describe, expect, test } from "bun:test";
import { renderMarkdown } from "./markdown.ts";

const ALLOWED = new Set(["p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "s"]);

/** Every tag in `html` is one of the subset's, and no attribute could run script. */
function assertSafe(html: string) {
  for (const m of html.matchAll(/<\/?([a-zA-Z0-9]+)([^>]*)>/g)) {
    expect(ALLOWED.has(m[1]!.toLowerCase())).toBe(true);
    const attrs = m[2]!;
    expect(attrs).not.toMatch(/\son[a-z]+\s*=/i);
    expect(attrs).not.toMatch(/style\s*=/i);
    // An empty href (markdown-it's "[x](<>)") points at the page itself: harmless.
    for (const href of attrs.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^((https?:|mailto:)|$)/i);
  }
}

describe("comment Markdown", () => {
  test("the subset renders", () => {
    expect(renderMarkdown("**bold** and *em* and `code`")).toBe(
      "<p><strong>bold</strong> and <em>em</em> and <code>code</code></p>\n",
    );
    expect(renderMarkdown("- a\n- b")).toContain("<li>a</li>");
    expect(renderMarkdown("[site](https://example.org)")).toContain('href="https://example.org"');
  });

  test("hostile input is shown as text, never as markup or script", () => {
    const hostile = [
      "<script>alert(1)</script>",
      '<img src=x onerror="alert(1)">',
      "[click](javascript:alert(1))",
      "[click](JaVaScRiPt:alert(1))",
      "[x](data:text/html;base64,PHNjcmlwdD4=)",
      "![img](https://evil.example/track.png)",
      '<a href="javascript:alert(1)">x</a>',
      "<iframe src=//evil></iframe>",
      "# heading\n<style>body{display:none}</style>",
      '[x](https://ok.example" onmouseover="alert(1))',
    ];
    for (const h of hostile) {
      const html = renderMarkdown(h);
      assertSafe(html);
      expect(html).not.toContain("<script");
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<iframe");
    }
    expect(renderMarkdown("<b>hi</b>")).toContain("&lt;b&gt;hi&lt;/b&gt;");
  });

  test("random and truncated input never throws and is always safe", () => {
    const pieces = [
      "<",
      ">",
      "[",
      "]",
      "(",
      ")",
      "*",
      "_",
      "`",
      "\n",
      "javascript:",
      "http://a",
      '"',
      "'",
      "&",
      "on",
      "=",
      "!",
      "-",
      " ",
      "<a ",
      "script",
      "\u0000",
      "\u202e",
    ];
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const n = Math.floor(Math.random() * 40);
      for (let j = 0; j < n; j++) s += pieces[Math.floor(Math.random() * pieces.length)];
      assertSafe(renderMarkdown(s));
      assertSafe(renderMarkdown(s.slice(0, Math.floor(Math.random() * (s.length + 1)))));
    }
  });
});

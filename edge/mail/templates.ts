/**
 * Mail templates: every message has a plain-text part and an HTML part built from the same few
 * fields, so both say the same thing. The HTML is inline-styled (mail clients drop <style>).
 */
export interface MailTemplate {
  subject: string;
  /** First line, e.g. "Confirm your email address". */
  heading: string;
  /** Paragraphs before the button. */
  intro: string[];
  action?: { label: string; url: string };
  /** Paragraphs after the button (e.g. "If this wasn't you…"). */
  outro?: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderMail(t: MailTemplate): { subject: string; text: string; html: string } {
  const text = [
    t.heading,
    "",
    ...t.intro.flatMap((p) => [p, ""]),
    ...(t.action ? [`${t.action.label}:`, t.action.url, ""] : []),
    ...(t.outro ?? []).flatMap((p) => [p, ""]),
    "— Hearth",
    "",
  ].join("\n");
  const p = (s: string) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(s)}</p>`;
  const button = t.action
    ? `<p style="margin:24px 0"><a href="${
      escapeHtml(t.action.url)
    }" style="background:#d9653b;color:#ffffff;` +
      `padding:12px 20px;border-radius:8px;text-decoration:none;font-weight:600;display:inline-block">` +
      `${escapeHtml(t.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#666666;word-break:break-all">Or open this link: ` +
      `${escapeHtml(t.action.url)}</p>`
    : "";
  const html = `<!doctype html><html><body style="margin:0;padding:24px;background:#f6f4f1;` +
    `font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d1b19">` +
    `<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px">` +
    `<p style="margin:0 0 8px;color:#d9653b;font-weight:700">Hearth</p>` +
    `<h1 style="margin:0 0 16px;font-size:22px">${escapeHtml(t.heading)}</h1>` +
    t.intro.map(p).join("") + button + (t.outro ?? []).map(p).join("") +
    `</div></body></html>`;
  return { subject: t.subject, text, html };
}

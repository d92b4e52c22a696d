/**
 * Hearth's shared look as one CSS string: light and dark (prefers-color-scheme), the system font,
 * the accent #d9653b, and styles for forms, buttons, cards, notices, tables and focus rings.
 * Runtime-free, so IdCloud (Deno) and the user server (Bun) both inline it.
 */
export const ACCENT = "#d9653b";

export const THEME_CSS = `
:root {
  color-scheme: light dark;
  --accent: ${ACCENT};
  --accent-strong: #a8461f; /* 5.0:1 on --accent-soft, 5.9:1 on white */
  --accent-soft: #fbe9e1;
  /* Filled buttons: white text needs 4.5:1 (WCAG AA); #b94f28 gives 5.0:1, the accent only 3.6:1. */
  --button: #b94f28;
  --button-hover: #9a3f1e;
  --bg: #f6f4f1;
  --surface: #ffffff;
  --text: #1d1b19;
  --muted: #6b655f;
  --border: #e3ddd6;
  --danger: #b3261e;
  --danger-soft: #fdecea;
  --ok: #1f7a4d;
  --ok-soft: #e5f4ec;
  --radius: 12px;
  --shadow: 0 1px 2px rgb(0 0 0 / .04), 0 8px 24px rgb(0 0 0 / .06);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif;
  line-height: 1.5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --accent: #ec7c52;
    --accent-strong: #f39a77;
    --accent-soft: #3a2219;
    --button: #ec7c52;
    --button-hover: #f39a77;
    --bg: #161412;
    --surface: #211e1b;
    --text: #f1ece6;
    --muted: #a69d94;
    --border: #38322d;
    --danger: #ff8a80;
    --danger-soft: #3b1b19;
    --ok: #7fd3a6;
    --ok-soft: #17301f;
    --shadow: 0 1px 2px rgb(0 0 0 / .3), 0 8px 24px rgb(0 0 0 / .3);
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { background: var(--bg); color: var(--text); }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent-strong); text-underline-offset: 2px; }
@media (prefers-color-scheme: dark) { a { color: var(--accent); } }
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
  padding: .9rem clamp(1rem, 4vw, 2rem); border-bottom: 1px solid var(--border); background: var(--surface); }
.brand { display: inline-flex; align-items: center; gap: .5rem; font-weight: 700; font-size: 1.1rem;
  color: var(--text); text-decoration: none; }
.brand-mark { width: 1.6rem; height: 1.6rem; border-radius: 8px; background: var(--accent);
  display: inline-grid; place-items: center; color: #fff; font-size: .95rem; }
.topbar nav { display: flex; gap: .25rem; align-items: center; flex-wrap: wrap; }
.topbar nav a { color: var(--muted); text-decoration: none; padding: .35rem .6rem; border-radius: 8px; }
.topbar nav a:hover, .topbar nav a[aria-current="page"] { color: var(--text); background: var(--bg); }
.topbar form { margin: 0; }
main { width: 100%; max-width: 34rem; margin: 0 auto; padding: clamp(1.25rem, 5vw, 3rem) 1rem 3rem; flex: 1; }
main.wide { max-width: 52rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .35rem; letter-spacing: -.01em; }
h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
p { margin: 0 0 1rem; }
.lead { color: var(--muted); margin-bottom: 1.5rem; }
.muted { color: var(--muted); }
.brand .area { font-weight: 500; }
.small { font-size: .875rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow); padding: clamp(1.25rem, 4vw, 2rem); margin-bottom: 1.25rem; }
.stack > * + * { margin-top: 1rem; }
label { display: block; font-weight: 600; font-size: .925rem; margin-bottom: .35rem; }
.field { margin-bottom: 1.1rem; }
.hint { display: block; font-weight: 400; color: var(--muted); font-size: .85rem; margin-top: .3rem; }
input[type=email], input[type=password], input[type=text], input[type=url], input[type=search], select, textarea {
  width: 100%; font: inherit; color: var(--text); background: var(--surface);
  border: 1px solid var(--border); border-radius: 10px; padding: .65rem .8rem; transition: border-color .15s; }
input:hover, select:hover, textarea:hover { border-color: var(--muted); }
input.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 1.25rem;
  letter-spacing: .3em; text-align: center; }
:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 55%, transparent); outline-offset: 2px; }
input:focus-visible, select:focus-visible, textarea:focus-visible { outline-offset: 0; border-color: var(--accent); }
button, .button { display: inline-flex; align-items: center; justify-content: center; gap: .4rem;
  font: inherit; font-weight: 600; border-radius: 10px; padding: .65rem 1.1rem; cursor: pointer;
  border: 1px solid transparent; background: var(--button); color: #fff; text-decoration: none;
  transition: background .15s, transform .05s; }
button:hover, .button:hover { background: var(--button-hover); }
@media (prefers-color-scheme: dark) { button, .button { color: #1d1b19; } }
button:active { transform: translateY(1px); }
button.block, .button.block { width: 100%; }
button.secondary, .button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
button.secondary:hover, .button.secondary:hover { background: var(--bg); }
button.danger { background: transparent; color: var(--danger); border-color: var(--border); }
button.danger:hover { background: var(--danger-soft); }
button.link { background: none; border: 0; padding: 0; color: var(--accent-strong); font-weight: 500; }
.notice { border-radius: 10px; padding: .75rem 1rem; margin-bottom: 1.25rem; border: 1px solid var(--border);
  background: var(--bg); }
.notice.error { background: var(--danger-soft); border-color: transparent; color: var(--danger); }
.notice.ok { background: var(--ok-soft); border-color: transparent; color: var(--ok); }
.row { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
.row.between { justify-content: space-between; }
.center { text-align: center; }
.qr { display: block; margin: 0 auto 1rem; width: min(240px, 100%); height: auto; border-radius: 10px;
  background: #fff; padding: 6px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; }
.secret { display: block; padding: .6rem .8rem; background: var(--bg); border: 1px dashed var(--border);
  border-radius: 8px; word-break: break-all; user-select: all; }
.codes { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; list-style: none;
  padding: 0; margin: 0 0 1rem; }
.codes li { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; padding: .5rem; text-align: center;
  background: var(--bg); border-radius: 8px; }
table { width: 100%; border-collapse: collapse; font-size: .925rem; }
th, td { text-align: left; padding: .6rem .4rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: .1rem .5rem; border-radius: 999px;
  background: var(--accent-soft); color: var(--accent-strong); }
.badge.ok { background: var(--ok-soft); color: var(--ok); }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
footer.site { text-align: center; color: var(--muted); font-size: .8rem; padding: 1.5rem; }
@media (max-width: 480px) { .codes { grid-template-columns: 1fr 1fr; } .topbar { padding: .75rem 1rem; } }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;

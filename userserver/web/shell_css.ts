/** The shell's own styles, on top of the shared theme (shared/ui/theme.ts). */
export const SHELL_CSS = `
.topbar { position: sticky; top: 0; z-index: 5; }
.tabs { display: flex; gap: .25rem; }
.tabs a { color: var(--muted); text-decoration: none; padding: .45rem .8rem; border-radius: 999px; font-weight: 600; }
.tabs a:hover { color: var(--text); background: var(--bg); }
.tabs a[aria-current="page"] { color: var(--accent-strong); background: var(--accent-soft); }
.bell { position: relative; display: inline-grid; place-items: center; width: 2.4rem; height: 2.4rem;
  border-radius: 999px; text-decoration: none; color: var(--text); }
.bell:hover { background: var(--bg); }
.bell .count { position: absolute; top: .05rem; right: .05rem; min-width: 1.2rem; height: 1.2rem; padding: 0 .3rem;
  border-radius: 999px; background: var(--accent); color: #fff; font-size: .72rem; font-weight: 700;
  display: grid; place-items: center; line-height: 1; }
.bell .count[data-zero] { display: none; }
.topbar .right { display: flex; align-items: center; gap: .5rem; }
.account-menu { position: relative; }
.account-menu > summary { list-style: none; cursor: pointer; display: grid; place-items: center; width: 2.4rem;
  height: 2.4rem; border-radius: 999px; }
.account-menu > summary::-webkit-details-marker { display: none; }
.account-menu > summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.account-menu .avatar { display: grid; place-items: center; width: 2rem; height: 2rem; border-radius: 999px;
  background: var(--accent-soft); color: var(--accent-strong); font-weight: 700; }
.account-panel { position: absolute; right: 0; top: 2.8rem; min-width: 16rem; max-width: calc(100vw - 2rem);
  padding: .75rem 1rem; background: var(--surface, var(--bg)); border: 1px solid var(--border);
  border-radius: .75rem; box-shadow: 0 8px 24px rgb(0 0 0 / .18); z-index: 10; }
.account-panel p { margin: 0 0 .5rem; overflow-wrap: anywhere; }
.account-panel ul { list-style: none; padding: 0; margin: 0 0 .75rem; }
.account-panel li a { display: block; padding: .4rem 0; min-height: 24px; }
.account-panel form { margin: 0; }
main.shell { max-width: 60rem; }
.crumbs { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; color: var(--muted); margin-bottom: 1rem; }
.crumbs a { text-decoration: none; }
.items { list-style: none; padding: 0; margin: 0; }
.items li { display: grid; grid-template-columns: 2rem 1fr auto auto; gap: .75rem; align-items: center;
  padding: .6rem .4rem; border-bottom: 1px solid var(--border); }
.items li:last-child { border-bottom: 0; }
.items .icon { display: grid; place-items: center; color: var(--muted); }
.items li:has(a[href^="/browse/"]) .icon { color: var(--accent); }
.icon-svg { vertical-align: -0.2em; flex: none; }
.row form, .dirs form { margin: 0; }
.row .button, .row button { margin: 0; }
.items .name { overflow-wrap: anywhere; }
.items .name a { color: var(--text); text-decoration: none; font-weight: 500; }
.items .name a:hover { text-decoration: underline; }
.items .meta { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.empty { text-align: center; color: var(--muted); padding: 2rem 1rem; }
.empty .big { display: block; margin-bottom: .5rem; color: var(--border); }
progress { width: 100%; height: .7rem; appearance: none; border: 0; border-radius: 999px; overflow: hidden;
  background: var(--border); accent-color: var(--accent); }
progress::-webkit-progress-bar { background: var(--border); border-radius: 999px; }
progress::-webkit-progress-value { background: var(--accent); border-radius: 999px; transition: width .2s; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.figures div { background: var(--bg); border-radius: 10px; padding: .6rem .8rem; }
.figures b { display: block; font-size: 1.15rem; }
.figures span { color: var(--muted); font-size: .8rem; }
.skipped { font-size: .9rem; }
.skipped td:first-child { overflow-wrap: anywhere; }
.dirs { list-style: none; padding: 0; margin: 0 0 1rem; display: grid; gap: .4rem; }
.dirs li { display: flex; justify-content: space-between; align-items: center; gap: .5rem;
  border: 1px solid var(--border); border-radius: 10px; padding: .5rem .5rem .5rem .8rem; }
.dirs a { text-decoration: none; overflow-wrap: anywhere; display: inline-flex; gap: .5rem; align-items: center; }
.notes { list-style: none; padding: 0; margin: 0; }
.notes li { display: flex; gap: .75rem; align-items: flex-start; justify-content: space-between;
  padding: .8rem .2rem; border-bottom: 1px solid var(--border); }
.notes li.unseen .title { font-weight: 700; }
.notes li.unseen::before { content: ""; width: .55rem; height: .55rem; border-radius: 999px; background: var(--accent);
  margin-top: .5rem; flex: none; }
.notes .body { flex: 1; }
.notes .actions { display: flex; gap: .35rem; flex: none; }
.notes form { margin: 0; }
button.small, .button.small { padding: .35rem .7rem; font-size: .85rem; }
dl.info { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0; }
dl.info dt { color: var(--muted); }
dl.info dd { margin: 0; overflow-wrap: anywhere; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; top: .5rem; z-index: 10; background: var(--surface); padding: .4rem .7rem; border-radius: 8px; }
@media (max-width: 640px) {
  /* A phone: one short header row (the mark, search, bell, account); the tabs sit at the bottom of
     the screen, where a thumb reaches them, so the page's own content starts high. */
  /* No backdrop filter here: it would make the header the box the fixed tab bar is placed in. */
  .topbar { flex-wrap: nowrap; gap: .5rem; padding: .5rem .75rem; backdrop-filter: none; }
  /* The server's name stays the link's accessible name, only visually hidden. */
  .topbar .brand > span:not(.brand-mark) { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap; }
  .topbar .right { flex: 1; justify-content: flex-end; min-width: 0; }
  .header-search { flex: 1; min-width: 0; }
  .header-search input { width: 100%; max-width: none; }
  .tabs { position: fixed; left: 0; right: 0; bottom: 0; z-index: 6; justify-content: space-around;
    padding: .35rem .5rem calc(.35rem + env(safe-area-inset-bottom)); background: var(--surface);
    border-top: 1px solid var(--border); }
  /* Every tab in one row, however many plugins add (Browse, Photos, Add, Friends, Settings…). */
  .tabs { flex-wrap: nowrap; gap: 0; }
  .tabs a { flex: 1 1 0; min-width: 0; text-align: center; min-height: 2.5rem; display: flex; align-items: center;
    justify-content: center; padding: .45rem .2rem; font-size: .85rem; overflow: hidden; text-overflow: ellipsis; }
  main.shell { padding-top: .6rem; padding-bottom: 4.5rem; }
  .items li { grid-template-columns: 1.6rem 1fr auto; }
  .items .meta.when { display: none; }
}
.header-search input { width: 11rem; max-width: 36vw; padding: .35rem .7rem; font: inherit; color: inherit;
  border: 1px solid var(--border); border-radius: 999px; background: transparent; }
.header-search input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.header-search { position: relative; }
#header-search-list { position: absolute; top: calc(100% + .3rem); right: 0; z-index: 20; width: min(26rem, 92vw);
  max-height: 70vh; overflow-y: auto; padding: .3rem; background: var(--surface); color: var(--text);
  border: 1px solid var(--border); border-radius: .7rem; box-shadow: 0 8px 24px rgb(0 0 0 / .18); }
#header-search-list[hidden] { display: none; }
#header-search-list [role=option] { display: grid; grid-template-columns: 1.5rem 1fr; column-gap: .4rem;
  align-items: center; padding: .45rem .55rem; border-radius: .5rem; color: inherit; text-decoration: none; }
#header-search-list [role=option][aria-selected=true], #header-search-list [role=option]:hover {
  background: color-mix(in srgb, var(--accent) 16%, transparent); }
#header-search-list [role=option][aria-selected=true] { outline: 2px solid var(--accent); outline-offset: -2px; }
#header-search-list .suggest-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 600; }
#header-search-list .suggest-where { grid-column: 2; font-size: .8rem; color: var(--muted); overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
#header-search-list .suggest-all { display: block; font-size: .9rem; color: var(--accent-strong); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
`;

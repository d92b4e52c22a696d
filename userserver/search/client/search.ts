/**
 * Keyboard navigation of search results, on every page (the header's box is everywhere):
 *
 * - The header box is a combobox (WAI-ARIA APG "list autocomplete"): focus stays in the box while
 *   ArrowDown / ArrowUp move the active option (`aria-activedescendant`), Enter opens it, Escape
 *   closes the list (the text stays; a second Escape clears the box as usual).
 * - The results page is a plain list of links with roving focus: ArrowDown from its box goes to the
 *   first result, the arrows move between results (mine, then friends'), ArrowUp from the first and
 *   Escape return to the box; Enter on a result is the link's own.
 *
 * Listeners sit on the document, so they hold across htmx swaps and boosted page changes.
 */

const BOX = "header-search-q";
const LIST = "header-search-list";
const PAGE_BOX = "search-q";
const PAGE_RESULTS = "#search-results a[href], #search-friends a[href]";

function headerParts(): { box: HTMLInputElement; list: HTMLElement } | undefined {
  const box = document.getElementById(BOX);
  const list = document.getElementById(LIST);
  return box instanceof HTMLInputElement && list ? { box, list } : undefined;
}

function options(list: HTMLElement): HTMLElement[] {
  return [...list.querySelectorAll<HTMLElement>('[role="option"]')];
}

function setOpen(box: HTMLInputElement, list: HTMLElement, open: boolean): void {
  list.hidden = !open || options(list).length === 0;
  box.setAttribute("aria-expanded", String(!list.hidden));
  if (list.hidden) setActive(box, list, -1);
}

/** Marks option `i` active (-1: none, the text in the box is what Enter sends). */
function setActive(box: HTMLInputElement, list: HTMLElement, i: number): void {
  const all = options(list);
  all.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
  const active = all[i];
  if (active) {
    box.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  } else {
    box.removeAttribute("aria-activedescendant");
  }
}

function activeIndex(box: HTMLInputElement, list: HTMLElement): number {
  const id = box.getAttribute("aria-activedescendant");
  return id ? options(list).findIndex((o) => o.id === id) : -1;
}

function onHeaderKey(e: KeyboardEvent, box: HTMLInputElement, list: HTMLElement): void {
  const count = options(list).length;
  const i = activeIndex(box, list);
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    if (count === 0) return;
    e.preventDefault();
    if (list.hidden) {
      setOpen(box, list, true);
      setActive(box, list, e.key === "ArrowDown" ? 0 : count - 1);
      return;
    }
    // Past either end the box's own text is current again (-1), then the list wraps.
    const next = e.key === "ArrowDown" ? (i + 1 >= count ? -1 : i + 1) : (i <= -1 ? count - 1 : i - 1);
    setActive(box, list, next);
  } else if (e.key === "Enter" && !list.hidden && i >= 0) {
    e.preventDefault();
    options(list)[i]!.click();
  } else if (e.key === "Escape" && !list.hidden) {
    e.preventDefault(); // keep the words: only the list closes
    setOpen(box, list, false);
    box.focus();
  }
}

function onPageKey(e: KeyboardEvent, target: HTMLElement): void {
  const box = document.getElementById(PAGE_BOX);
  if (!(box instanceof HTMLInputElement)) return;
  const links = [...document.querySelectorAll<HTMLElement>(PAGE_RESULTS)];
  const at = links.indexOf(target);
  if (target === box) {
    if (e.key === "ArrowDown" && links[0]) {
      e.preventDefault();
      links[0].focus();
    }
    return;
  }
  if (at < 0) return;
  if (e.key === "ArrowDown") {
    e.preventDefault();
    links[Math.min(at + 1, links.length - 1)]!.focus();
  } else if (e.key === "ArrowUp") {
    e.preventDefault();
    if (at === 0) box.focus();
    else links[at - 1]!.focus();
  } else if (e.key === "Escape") {
    e.preventDefault();
    box.focus();
  }
}

// Capturing: the box's keys are decided here before page-wide shortcuts (Browse's Escape) see them.
document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
  const target = e.target;
  if (!(target instanceof HTMLElement)) return;
  const header = headerParts();
  if (header && target === header.box) return onHeaderKey(e, header.box, header.list);
  onPageKey(e, target);
}, true);

// A new list from the server (other swaps, like the bell's, leave it be): shown when it has
// options and the box still has the focus, nothing active yet.
let shownList: HTMLElement | undefined;
document.addEventListener("htmx:after:swap", () => {
  const header = headerParts();
  if (!header || header.list === shownList) return;
  shownList = header.list;
  setOpen(header.box, header.list, document.activeElement === header.box);
});

// Leaving the box for anything but the list closes it; coming back reopens what was there.
document.addEventListener("focusout", (e) => {
  const header = headerParts();
  if (!header || e.target !== header.box) return;
  const to = e.relatedTarget;
  if (to instanceof Node && header.list.contains(to)) return;
  setOpen(header.box, header.list, false);
});
document.addEventListener("focusin", (e) => {
  const header = headerParts();
  if (header && e.target === header.box && header.box.value.trim()) setOpen(header.box, header.list, true);
});

/** Times on the page in the viewer's own time zone and locale (the server writes UTC). */
const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function localize(root: ParentNode): void {
  for (const t of root.querySelectorAll<HTMLTimeElement>("time[datetime]")) {
    const d = new Date(t.dateTime);
    if (!Number.isNaN(d.getTime())) t.textContent = format.format(d);
  }
}

export function installTimes(): void {
  localize(document);
  document.addEventListener("htmx:after:swap", () => localize(document));
}

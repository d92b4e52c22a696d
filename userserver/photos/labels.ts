/** How Photos names a month, a day and a moment — the same words on the server's pages and in the page scripts. */

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** "December 2026" of yyyymmdd. */
export function monthLabel(day: number): string {
  return `${MONTHS[(Math.floor(day / 100) % 100) - 1] ?? ""} ${Math.floor(day / 10000)}`;
}

// One formatter each, made once: `toLocaleString` with options builds a new one per call, which
// cost the timeline most of its script time per frame (bench/photos/browser.ts --profile).
const DAY = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

/** "Fri 4 Dec" of yyyymmdd. */
export function dayLabel(day: number): string {
  return DAY.format(
    new Date(Date.UTC(Math.floor(day / 10000), (Math.floor(day / 100) % 100) - 1, day % 100)),
  );
}

/** "4 Dec 2026, 14:03" of a wall-clock-as-UTC time. */
export function timeLabel(t: number): string {
  return TIME.format(new Date(t));
}

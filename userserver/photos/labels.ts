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

/** "Fri 4 Dec" of yyyymmdd. */
export function dayLabel(day: number): string {
  const d = new Date(Date.UTC(Math.floor(day / 10000), (Math.floor(day / 100) % 100) - 1, day % 100));
  return d.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
}

/** "4 Dec 2026, 14:03" of a wall-clock-as-UTC time. */
export function timeLabel(t: number): string {
  return new Date(t).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
  });
}

/**
 * The header box's suggestions: a listbox of the best few matches, then "All results" — the options
 * of the header's combobox (web/layout.tsx; client/search.ts moves through them with the arrow keys).
 * Each option is a link, so a click opens it without script, and with JavaScript off Enter in the
 * box submits its form to the results page.
 */
import { Icon } from "../web/icons.tsx";
import type { SearchHit } from "./searcher.ts";

/** How many matches the list shows before "All results". */
export const SUGGESTIONS = 8;
/** The listbox's id, referenced by the header box's `aria-controls` and `hx-target`. */
export const SUGGEST_LIST_ID = "header-search-list";

/** Hidden when there is nothing to suggest (the box is empty). */
export function SuggestList({ q, hits }: { q?: string; hits?: SearchHit[] }) {
  return (
    <div id={SUGGEST_LIST_ID} role="listbox" aria-label="Search suggestions" hidden={q === undefined}>
      {(hits ?? []).map((h, i) => (
        <a
          key={h.itemId}
          id={`${SUGGEST_LIST_ID}-${i}`}
          role="option"
          aria-selected="false"
          tabindex={-1}
          href={`/browse/${encodeURIComponent(h.itemId)}`}
        >
          <Icon name={h.kind === "folder" ? "folder" : h.type.startsWith("image/") ? "image" : "file"} />
          <span class="suggest-name">{h.name}</span>
          <span class="suggest-where">{h.path ? `Home/${h.path}` : "Home"}</span>
        </a>
      ))}
      {q !== undefined
        ? (
          <a
            id={`${SUGGEST_LIST_ID}-all`}
            role="option"
            aria-selected="false"
            tabindex={-1}
            href={`/search?${new URLSearchParams({ q })}`}
            class="suggest-all"
          >
            {hits?.length ? `All results for “${q}”` : `No quick matches — search everything for “${q}”`}
          </a>
        )
        : ""}
    </div>
  );
}

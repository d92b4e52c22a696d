/**
 * The places a page's side list shows (Home, Recent, Camera, …), chosen once per request by the
 * shell for its viewer (`render.tsx`) and read by the `Places` component (files/views.tsx) wherever
 * a page draws the list — so no page can offer a place its viewer may not open, and no page has to
 * pass the viewer down to it. A page drawn outside `render` shows no places.
 */
import { createContext } from "hono/jsx";
import type { Place } from "../plugins/mod.ts";

export const PlacesContext = createContext<Place[]>([]);

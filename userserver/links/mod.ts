/** Share links: the plugin, and the store the REST API and tests use. */
export { linksPlugin, type LinksPluginOptions } from "./plugin.tsx";
export { type Link, Links, type LinkSettings } from "./store.ts";
export { LINK_HEADER } from "./door.ts";

/** WebDAV at `/dav/` with app passwords (see plugin.tsx). */
export { AppPasswords, createDav, type Dav, DAV_PREFIX } from "./plugin.tsx";
export { DAV_METHODS } from "./routes.ts";

/** Web-standard helpers shared by every Hearth web app (user server and IdCloud). */
export { CSP_DIRECTIVES, HSTS, securityHeaders } from "./headers.ts";
export { jsonBody } from "./json_body.ts";
export { ownOriginsOnly } from "./csrf.ts";

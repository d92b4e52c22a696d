/** IdCloud's account side: pages, sessions, registration of user servers. */
export { createIdRoutes, sameOrigin } from "./routes.tsx";
export { getSignedInAccount, loginUrl, type SignedInAccount } from "./session.ts";
export { createVerifiedAccount } from "./accounts.ts";
export { claimName, registerServer } from "./registration.ts";

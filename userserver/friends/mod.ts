/** Friends: the plugin, and what its tests reach for. */
export { createFriends, type Friends, type FriendsOptions } from "./plugin.tsx";
export { PEER_API } from "./door.ts";
export { type PeerItem } from "./shared_items.ts";
export { friendPrincipals } from "./principals.ts";
export { type AlbumsForFriends } from "./shared_albums.tsx";

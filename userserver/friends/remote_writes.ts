/**
 * The sending side of a write share: a file the owner picked goes into a friend's shared folder in
 * signed chunks (peer_uploads.ts on their side); a refused chunk that names where to continue is
 * resumed from there. Also renames there.
 */
import type { PeerClient } from "./client.ts";
import { PEER_API } from "./door.ts";
import { FriendError } from "./handshake.ts";
import { PEER_CHUNK_BYTES } from "./peer_uploads.ts";

const CHUNK_TIMEOUT_MS = 60_000;

export async function sendToFriend(
  client: PeerClient,
  friend: string,
  folderId: string,
  file: Blob,
  name: string,
): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of file.stream()) hasher.update(chunk);
  const begun = await client.json<{ id?: string; error?: string }>(
    friend,
    `${PEER_API}/items/${folderId}/uploads`,
    {
      json: { name, size: file.size, hash: hasher.digest("hex") },
      timeoutMs: 10_000,
    },
  );
  if (begun.status === 404) {
    throw new FriendError(
      `${friend} does not let you add files to this folder (it is shared with you to view only)`,
    );
  }
  if (begun.status !== 200 || !begun.body.id) {
    throw new FriendError(begun.body.error ?? `${friend}'s server refused the upload (HTTP ${begun.status})`);
  }
  let offset = 0;
  for (let tries = 0; tries < 1000;) {
    const chunk = new Uint8Array(await file.slice(offset, offset + PEER_CHUNK_BYTES).arrayBuffer());
    const sent = await client.json<{ offset?: number; itemId?: string; error?: string }>(
      friend,
      `${PEER_API}/uploads/${begun.body.id}`,
      { bytes: chunk, headers: { "upload-offset": String(offset) }, timeoutMs: CHUNK_TIMEOUT_MS },
    );
    if (sent.status === 200 && sent.body.itemId) return sent.body.itemId;
    if ((sent.status === 200 || sent.status === 409) && typeof sent.body.offset === "number") {
      if (sent.status === 409) tries++;
      offset = sent.body.offset;
      continue;
    }
    throw new FriendError(sent.body.error ?? `${friend}'s server refused the upload (HTTP ${sent.status})`);
  }
  throw new FriendError(`The upload to ${friend} did not make progress`);
}

export async function renameAtFriend(
  client: PeerClient,
  friend: string,
  id: string,
  name: string,
): Promise<void> {
  const res = await client.json<{ error?: string }>(friend, `${PEER_API}/items/${id}/rename`, {
    json: { name },
    timeoutMs: 8_000,
  });
  if (res.status !== 200) {
    throw new FriendError(res.body.error ?? `${friend}'s server refused (HTTP ${res.status})`);
  }
}

/**
 * HTTP-01's answering side: the key authorizations of the orders in progress, the solver that
 * sets and clears them, and the handler a plain-HTTP listener runs (challenge tokens only, 404
 * for everything else).
 */
import type { ChallengeSolver } from "./client.ts";

const PREFIX = "/.well-known/acme-challenge/";

export function http01Responder(): { solver: ChallengeSolver; answer(req: Request): Response } {
  const answers = new Map<string, string>();
  return {
    solver: {
      type: "http-01",
      present: (_domain, token, keyAuthorization) =>
        Promise.resolve(void answers.set(token, keyAuthorization)),
      cleanup: (_domain, token) => Promise.resolve(void answers.delete(token)),
    },
    answer(req) {
      const path = new URL(req.url).pathname;
      const answer = path.startsWith(PREFIX) ? answers.get(path.slice(PREFIX.length)) : undefined;
      return answer
        ? new Response(answer, { headers: { "content-type": "application/octet-stream" } })
        : new Response("Not found", { status: 404 });
    },
  };
}

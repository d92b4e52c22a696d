/** Polls a `/healthz` URL over HTTPS (trusting the dev CA) until it answers 200 or time runs out. */

export async function waitHealthy(
  url: string,
  { ca, serverName, timeoutMs = 30_000, isAlive = () => true }: {
    ca: string;
    /** The name the certificate must carry, when the URL is an address (default: the URL's host). */
    serverName?: string;
    timeoutMs?: number;
    isAlive?: () => boolean;
  },
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`exited before ${url} answered`);
    try {
      const res = await fetch(url, {
        tls: { ca, ...(serverName ? { serverName } : {}) },
        signal: AbortSignal.timeout(2000),
      });
      if (res.ok) return await res.json();
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms (${lastError})`);
}

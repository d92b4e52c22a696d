/**
 * tus-js-client's HTTP stack over `fetch`, for the service worker, which has no XMLHttpRequest
 * (the library's browser stack). Only what tus-js-client calls: a request's method, URL and
 * headers, its body sent whole (one chunk at a time, as the Upload slices it), the response's
 * status, headers and body. No progress events: nobody watches a background upload.
 */
import type { HttpRequest, HttpResponse, HttpStack } from "tus-js-client";

export class FetchHttpStack implements HttpStack {
  createRequest(method: string, url: string): HttpRequest {
    return new FetchRequest(method, url);
  }
  getName(): string {
    return "FetchHttpStack";
  }
}

class FetchRequest implements HttpRequest {
  readonly #headers: Record<string, string> = {};
  readonly #abort = new AbortController();
  constructor(private readonly method: string, private readonly url: string) {}
  getMethod() {
    return this.method;
  }
  getURL() {
    return this.url;
  }
  setHeader(header: string, value: string) {
    this.#headers[header] = value;
  }
  getHeader(header: string) {
    return this.#headers[header];
  }
  setProgressHandler() {}
  async send(body?: Blob | null): Promise<HttpResponse> {
    const res = await fetch(this.url, {
      method: this.method,
      headers: this.#headers,
      body: body ?? undefined,
      signal: this.#abort.signal,
    });
    return new FetchResponse(res, await res.text());
  }
  abort() {
    this.#abort.abort();
    return Promise.resolve();
  }
  getUnderlyingObject() {
    return this.#abort;
  }
}

class FetchResponse implements HttpResponse {
  constructor(private readonly res: Response, private readonly body: string) {}
  getStatus() {
    return this.res.status;
  }
  getHeader(header: string) {
    return this.res.headers.get(header) ?? undefined;
  }
  getBody() {
    return this.body;
  }
  getUnderlyingObject() {
    return this.res;
  }
}

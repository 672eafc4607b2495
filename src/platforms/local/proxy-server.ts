import { EventEmitter } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import { Pool } from "undici";
import { errorAnswer } from "./admin-contract.js";
import type { Router } from "./router.js";
import { type RequestOutcome, statusClassOf } from "./traffic-stats.js";

export const VERSION_HEADER = "x-glidepath-version";
export const AFFINITY_HEADER = "x-glidepath-key";
export const AFFINITY_COOKIE = "glidepath-key";

export interface ProxyServerOptions {
  /** Upstream base URL per version; a path in the URL is put in front of every request path. */
  upstreams: ReadonlyMap<string, string>;
  /** The router for a new request, read once per request so that a split change never moves a request under way. */
  router: () => Router;
  onRequestDone: (outcome: RequestOutcome) => void;
  /** How long close() lets requests under way finish before cutting them off. */
  drainTimeoutMs?: number;
}

export interface ProxyServer {
  server: Server;
  /** Stops accepting requests, lets those under way finish (up to the drain timeout), closes upstream connections. */
  close(): Promise<void>;
}

interface Upstream {
  version: string;
  url: string;
  pathPrefix: string;
  pool: Pool;
}

/** Connection-level headers that apply to one hop only and must not be forwarded (RFC 9110, section 7.6.1). */
const HOP_BY_HOP_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The data plane: forwards each request to the version the split (or an override header) picks, streaming both ways. */
export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const upstreams = new Map<string, Upstream>();
  for (const [version, url] of options.upstreams) {
    const parsed = new URL(url);
    upstreams.set(version, { version, url, pathPrefix: parsed.pathname.replace(/\/$/, ""), pool: new Pool(parsed.origin) });
  }

  let draining = false;
  const server = createServer((request, response) => {
    // Node keeps a keep-alive connection open after a request that was under way when closing began.
    response.once("close", () => {
      if (draining) server.closeIdleConnections();
    });
    const forced = singleValue(request.headers[VERSION_HEADER]);
    if (forced !== undefined && !upstreams.has(forced)) {
      const known = [...upstreams.keys()].join(", ");
      sendJson(response, 400, errorAnswer("unknown_version", `${VERSION_HEADER} asks for ${forced}, which this proxy does not serve; known versions: ${known}`));
      return;
    }
    const version = forced ?? options.router().choose(affinityKeyOf(request));
    forward(request, response, upstreams.get(version)!, options.onRequestDone);
  });

  return {
    server,
    async close() {
      draining = true;
      await drainAndClose(server, options.drainTimeoutMs ?? 10_000);
      await Promise.all([...upstreams.values()].map(({ pool }) => pool.close()));
    },
  };
}

function forward(request: IncomingMessage, response: ServerResponse, upstream: Upstream, onRequestDone: (outcome: RequestOutcome) => void): void {
  const arrivedAt = performance.now();
  // undici takes an EventEmitter that emits "abort" as a signal: far cheaper than an AbortController per request.
  const clientHangUp = new EventEmitter();
  let proxyAnswered502 = false;

  response.once("close", () => {
    const latencyMs = performance.now() - arrivedAt;
    const endedAtMs = Date.now();
    const { version } = upstream;
    if (response.writableFinished) {
      onRequestDone({ version, statusClass: proxyAnswered502 ? "upstream_failure" : statusClassOf(response.statusCode), latencyMs, endedAtMs });
    } else if (response.errored) {
      // undici destroys the response with an error when the upstream breaks off in the middle of its body.
      onRequestDone({ version, statusClass: "upstream_failure", latencyMs, endedAtMs });
    } else {
      // The client hung up: that says nothing about the version, so the request is not counted.
      clientHangUp.emit("abort");
    }
  });

  upstream.pool
    .stream(
      {
        method: request.method ?? "GET",
        path: upstream.pathPrefix + (request.url ?? "/"),
        headers: upstreamRequestHeaders(request),
        body: requestBody(request),
        signal: clientHangUp,
      },
      ({ statusCode, headers }) => {
        const responseHeaders = withoutHopByHop(headers);
        responseHeaders[VERSION_HEADER] = upstream.version;
        response.writeHead(statusCode, responseHeaders);
        return response;
      },
    )
    .catch((error: Error & { code?: string }) => {
      if (response.headersSent || response.destroyed) return;
      proxyAnswered502 = true;
      response.setHeader(VERSION_HEADER, upstream.version);
      const cause = error.code ?? error.message;
      sendJson(response, 502, errorAnswer("upstream_failed", `version ${upstream.version} at ${upstream.url} did not answer (${cause})`));
    });
}

function requestBody(request: IncomingMessage): Readable | undefined {
  const hasBody = request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? 0) > 0;
  if (!hasBody) return undefined;
  // undici destroys the body stream when the upstream fails; handing it a pass-through instead of
  // the request itself keeps the client's connection alive, so the client still gets its 502.
  const body = new PassThrough();
  request.once("error", (error) => body.destroy(error));
  return request.pipe(body);
}

function upstreamRequestHeaders(request: IncomingMessage): Record<string, string | string[]> {
  const headers = withoutHopByHop(request.headers);
  // undici sets Host to the upstream's own; the client's Host travels as x-forwarded-host.
  delete headers.host;
  // Node has already answered "Expect: 100-continue" to the client, and undici refuses to send it.
  delete headers.expect;
  const clientAddress = request.socket.remoteAddress ?? "";
  const forwardedFor = singleValue(request.headers["x-forwarded-for"]);
  headers["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${clientAddress}` : clientAddress;
  headers["x-forwarded-proto"] = "http";
  if (request.headers.host) headers["x-forwarded-host"] = request.headers.host;
  return headers;
}

function withoutHopByHop(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  // Connection may name further headers that belong to this hop only.
  const connectionOptions = (singleValue(headers.connection) ?? "").toLowerCase().split(",").map((name) => name.trim());
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name) && !connectionOptions.includes(name)) kept[name] = value;
  }
  return kept;
}

function affinityKeyOf(request: IncomingMessage): string | undefined {
  const header = singleValue(request.headers[AFFINITY_HEADER]);
  if (header) return header;
  const cookie = request.headers.cookie;
  if (!cookie) return undefined;
  for (const pair of cookie.split(";")) {
    const separator = pair.indexOf("=");
    if (separator !== -1 && pair.slice(0, separator).trim() === AFFINITY_COOKIE) return pair.slice(separator + 1).trim() || undefined;
  }
  return undefined;
}

function singleValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function drainAndClose(server: Server, drainTimeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cutOff = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    server.close(() => {
      clearTimeout(cutOff);
      resolve();
    });
  });
}

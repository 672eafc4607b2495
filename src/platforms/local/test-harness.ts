import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeServer, listen } from "../../support/listen.js";
import { type ProxyHandle, startProxy } from "./proxy.js";

/** Shared set-up for the tests of the local platform: real servers on 127.0.0.1, ephemeral ports, a temporary state directory. */

export interface TestUpstream {
  url: string;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** What the default upstream answers: its name and what it saw of the request. */
export interface EchoAnswer {
  servedBy: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function echoHandler(name: string): Handler {
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answer: EchoAnswer = {
        servedBy: name,
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(answer));
    });
  };
}

export async function startUpstream(handler: Handler): Promise<TestUpstream> {
  const server = createServer(handler);
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/** A URL nothing listens on: a port that was free a moment ago. */
export async function deadUpstreamUrl(): Promise<string> {
  const upstream = await startUpstream(() => undefined);
  await upstream.close();
  return upstream.url;
}

export interface TestProxy extends ProxyHandle {
  proxyUrl: string;
  adminUrl: string;
  stateFile: string;
  logLines: string[];
}

export interface TestProxyOptions {
  adminToken?: string;
  stateFile?: string;
}

export async function startTestProxy(upstreams: Record<string, string>, options: TestProxyOptions = {}): Promise<TestProxy> {
  const stateFile = options.stateFile ?? join(await temporaryDirectory(), "proxy-split.json");
  const logLines: string[] = [];
  const handle = await startProxy({
    listen: { host: "127.0.0.1", port: 0 },
    admin: { host: "127.0.0.1", port: 0 },
    upstreams: new Map(Object.entries(upstreams)),
    stateFile,
    adminToken: options.adminToken,
    log: (line) => logLines.push(line),
  });
  return {
    ...handle,
    proxyUrl: `http://127.0.0.1:${handle.proxyAddress.port}`,
    adminUrl: `http://127.0.0.1:${handle.adminAddress.port}`,
    stateFile,
    logLines,
  };
}

const running: { close(): Promise<void> }[] = [];

/** Two echoing upstreams, v1 and v2, behind a proxy; stopped by stopEverything(). */
export async function proxyWithTwoVersions(adminToken?: string): Promise<TestProxy> {
  const v1 = await startUpstream(echoHandler("v1"));
  const v2 = await startUpstream(echoHandler("v2"));
  const proxy = await startTestProxy({ v1: v1.url, v2: v2.url }, { adminToken });
  running.push(v1, v2, proxy);
  return proxy;
}

/** Has stopEverything() close this server too. */
export function closeAfterTest<T extends { close(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}

/** Closes what proxyWithTwoVersions and closeAfterTest were given and removes the temporary directories; for afterEach. */
export async function stopEverything(): Promise<void> {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await removeTemporaryDirectories();
}

const temporaryDirectories: string[] = [];

export async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "glidepath-proxy-"));
  temporaryDirectories.push(directory);
  return directory;
}

export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
}

/** A promise with its resolve function, to hold an upstream's answer until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

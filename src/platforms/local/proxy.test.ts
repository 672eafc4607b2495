import { type ClientRequest, request as httpRequest, type RequestOptions } from "node:http";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { splitAt } from "../../core/split.js";
import { createRouter } from "./router.js";
import {
  deadUpstreamUrl,
  deferred,
  type EchoAnswer,
  echoHandler,
  removeTemporaryDirectories,
  startTestProxy,
  startUpstream,
  type TestProxy,
  type TestUpstream,
} from "./test-harness.js";

const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await removeTemporaryDirectories();
});

async function upstream(handler: Parameters<typeof startUpstream>[0]): Promise<TestUpstream> {
  const started = await startUpstream(handler);
  running.push(started);
  return started;
}

async function proxy(upstreams: Record<string, string>, options?: Parameters<typeof startTestProxy>[1]): Promise<TestProxy> {
  const started = await startTestProxy(upstreams, options);
  running.push(started);
  return started;
}

async function twoVersions(): Promise<TestProxy> {
  const v1 = await upstream(echoHandler("v1"));
  const v2 = await upstream(echoHandler("v2"));
  return proxy({ v1: v1.url, v2: v2.url });
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as EchoAnswer };
}

/** Through node:http, which sends headers as given; undici replaces Connection and refuses Expect. */
function rawRequest(url: string, options: RequestOptions, send: (outgoing: ClientRequest) => void = (outgoing) => outgoing.end()): Promise<EchoAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { agent: false, ...options }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve(JSON.parse(text) as EchoAnswer));
    });
    outgoing.on("error", reject);
    send(outgoing);
  });
}

async function statsOf(target: TestProxy) {
  const response = await request(`${target.adminUrl}/stats?from=0&to=${Date.now() + 60_000}`);
  return (await response.body.json()) as { versions: Record<string, { requests: number; errors: number; byClass: Record<string, number> }> };
}

describe("the proxy", () => {
  it("starts with all traffic on the first upstream and names the version it served", async () => {
    const target = await twoVersions();
    const answer = await get(`${target.proxyUrl}/hello?x=1`);
    expect(answer.status).toBe(200);
    expect(answer.headers["x-glidepath-version"]).toBe("v1");
    expect(answer.json()).toMatchObject({ servedBy: "v1", method: "GET", url: "/hello?x=1" });
  });

  it("sends each affinity key where the router sends it, so weights are honoured", async () => {
    const target = await twoVersions();
    await target.setSplit(splitAt("v1", "v2", 25));
    const router = createRouter(splitAt("v1", "v2", 25));
    const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const served = await Promise.all(keys.map(async (key) => (await get(target.proxyUrl, { "x-glidepath-key": key })).headers["x-glidepath-version"]));
    expect(served).toEqual(keys.map((key) => router.choose(key)));
    expect(served.filter((version) => version === "v2").length).toBeGreaterThan(60);
    expect(served.filter((version) => version === "v2").length).toBeLessThan(140);
  });

  it("reads the affinity key from the glidepath-key cookie too", async () => {
    const target = await twoVersions();
    await target.setSplit(splitAt("v1", "v2", 50));
    const router = createRouter(splitAt("v1", "v2", 50));
    for (const key of ["a", "b", "c", "d", "e", "f"]) {
      const answer = await get(target.proxyUrl, { cookie: `theme=dark; glidepath-key=${key}` });
      expect(answer.headers["x-glidepath-version"]).toBe(router.choose(key));
    }
  });

  it("serves the version named in x-glidepath-version whatever the split", async () => {
    const target = await twoVersions();
    const answer = await get(target.proxyUrl, { "x-glidepath-version": "v2" });
    expect(answer.json().servedBy).toBe("v2");
    expect(answer.headers["x-glidepath-version"]).toBe("v2");
  });

  it("answers 400 naming the known versions when x-glidepath-version names an unknown one", async () => {
    const target = await twoVersions();
    const answer = await get(target.proxyUrl, { "x-glidepath-version": "v9" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error: { code: "unknown_version", message: "x-glidepath-version asks for v9, which this proxy does not serve; known versions: v1, v2" },
    });
  });

  it("streams request bodies to the upstream and adds forwarding headers", async () => {
    const target = await twoVersions();
    const response = await request(`${target.proxyUrl}/orders`, {
      method: "POST",
      headers: { "content-type": "text/plain", host: "shop.example", "x-forwarded-for": "203.0.113.7" },
      body: "x".repeat(100_000),
    });
    const answer = (await response.body.json()) as EchoAnswer;
    expect(answer).toMatchObject({ method: "POST", url: "/orders" });
    expect(answer.body).toHaveLength(100_000);
    expect(answer.headers).toMatchObject({
      "x-forwarded-for": "203.0.113.7, 127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "shop.example",
    });
    expect(answer.headers.host).not.toBe("shop.example");
  });

  it("strips hop-by-hop headers in both directions", async () => {
    const v1 = await upstream((_, response) => {
      response.writeHead(200, { connection: "x-upstream-hop", "x-upstream-hop": "1", "x-kept": "1" });
      response.end();
    });
    const echo = await upstream(echoHandler("echo"));
    const target = await proxy({ v1: v1.url, echo: echo.url });

    const answer = await get(target.proxyUrl);
    expect(answer.headers["x-upstream-hop"]).toBeUndefined();
    expect(answer.headers["x-kept"]).toBe("1");

    const echoed = await rawRequest(target.proxyUrl, {
      headers: { "x-glidepath-version": "echo", connection: "keep-alive, x-client-hop", "x-client-hop": "1", te: "trailers" },
    });
    expect(echoed.servedBy).toBe("echo");
    expect(echoed.headers).not.toHaveProperty("x-client-hop");
    expect(echoed.headers).not.toHaveProperty("te");
  });

  it("forwards a request that expects 100-continue", async () => {
    const target = await twoVersions();
    const answer = await rawRequest(target.proxyUrl, { method: "PUT", headers: { expect: "100-continue", "content-length": "5" } }, (outgoing) =>
      outgoing.on("continue", () => outgoing.end("hello")),
    );
    expect(answer).toMatchObject({ servedBy: "v1", body: "hello" });
  });

  it("puts the path of an upstream URL in front of every request path", async () => {
    const v1 = await upstream(echoHandler("v1"));
    const target = await proxy({ v1: `${v1.url}/base/` });
    expect((await get(`${target.proxyUrl}/items?page=2`)).json().url).toBe("/base/items?page=2");
  });

  it("answers 502 when an upstream cannot be reached and counts it as an error of that version", async () => {
    const v1 = await upstream(echoHandler("v1"));
    const target = await proxy({ v1: v1.url, v2: await deadUpstreamUrl() });

    const answer = await get(target.proxyUrl, { "x-glidepath-version": "v2" });
    expect(answer.status).toBe(502);
    expect(answer.headers["x-glidepath-version"]).toBe("v2");
    expect(JSON.parse(answer.text).error.message).toMatch(/^version v2 at http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\)$/);

    const posted = await request(target.proxyUrl, { method: "POST", headers: { "x-glidepath-version": "v2" }, body: "payload" });
    expect(posted.statusCode).toBe(502);
    await posted.body.dump();

    expect((await statsOf(target)).versions.v2).toMatchObject({ requests: 2, errors: 2, byClass: { upstream_failure: 2 } });
  });

  it("counts an upstream that breaks off in the middle of its body as an upstream failure", async () => {
    const v1 = await upstream((_, response) => {
      response.writeHead(200, { "content-length": "1000" });
      response.write("partial", () => response.socket!.destroy());
    });
    const target = await proxy({ v1: v1.url });
    const response = await request(target.proxyUrl);
    await expect(response.body.text()).rejects.toThrow();
    expect((await statsOf(target)).versions.v1).toMatchObject({ requests: 1, errors: 1, byClass: { upstream_failure: 1 } });
  });

  it("lets a client that hangs up cancel the upstream request, without counting it", async () => {
    const arrived = deferred();
    const upstreamSawClose = deferred();
    const v1 = await upstream((request) => {
      request.socket.once("close", () => upstreamSawClose.resolve());
      arrived.resolve();
    });
    const target = await proxy({ v1: v1.url });
    const hangUp = new AbortController();
    const pending = request(target.proxyUrl, { signal: hangUp.signal });
    await arrived.promise;
    hangUp.abort();
    await expect(pending).rejects.toThrow();
    await upstreamSawClose.promise;
    expect((await statsOf(target)).versions.v1).toBeUndefined();
  });

  it("finishes a request on the version it started on when the split changes meanwhile", async () => {
    const release = deferred();
    const arrived = deferred();
    const v1 = await upstream((_, response) => {
      arrived.resolve();
      void release.promise.then(() => response.end("from v1"));
    });
    const v2 = await upstream(echoHandler("v2"));
    const target = await proxy({ v1: v1.url, v2: v2.url });

    const slow = get(target.proxyUrl);
    await arrived.promise;
    await target.setSplit(splitAt("v1", "v2", 100));
    expect((await get(target.proxyUrl)).headers["x-glidepath-version"]).toBe("v2");
    release.resolve();
    expect(await slow).toMatchObject({ status: 200, text: "from v1" });
  });

  it("drops no request while the split changes under concurrent load", async () => {
    const target = await twoVersions();
    let changing = true;
    const changes = (async () => {
      for (let percent = 0; changing; percent = (percent + 7) % 101) {
        const response = await request(`${target.adminUrl}/split`, {
          method: "PUT",
          body: JSON.stringify({ split: splitAt("v1", "v2", percent) }),
        });
        expect(response.statusCode).toBe(200);
        await response.body.dump();
      }
    })();

    const statuses: number[] = [];
    const served = new Set<string>();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = 0; i < 100; i++) {
          const answer = await get(`${target.proxyUrl}/load`);
          statuses.push(answer.status);
          served.add(answer.json().servedBy);
        }
      }),
    );
    changing = false;
    await changes;

    expect(statuses).toHaveLength(2_000);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(served).toEqual(new Set(["v1", "v2"]));
  });

  it("lets a request under way finish when it closes", async () => {
    const release = deferred();
    const arrived = deferred();
    const v1 = await upstream((_, response) => {
      arrived.resolve();
      void release.promise.then(() => response.end("finished"));
    });
    const target = await startTestProxy({ v1: v1.url });
    const pending = get(target.proxyUrl);
    await arrived.promise;
    const closing = target.close();
    release.resolve();
    expect(await pending).toMatchObject({ status: 200, text: "finished" });
    await closing;
    await expect(get(target.proxyUrl)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("keeps the split it was given across a restart", async () => {
    const v1 = await upstream(echoHandler("v1"));
    const v2 = await upstream(echoHandler("v2"));
    const first = await startTestProxy({ v1: v1.url, v2: v2.url });
    await first.setSplit(splitAt("v1", "v2", 30), "stage 2");
    await first.close();

    const second = await proxy({ v1: v1.url, v2: v2.url }, { stateFile: first.stateFile });
    expect(second.currentSplit()).toMatchObject({ split: splitAt("v1", "v2", 30), note: "stage 2" });
  });

  it("refuses to start when the saved split names a version it has no upstream for", async () => {
    const v1 = await upstream(echoHandler("v1"));
    const v2 = await upstream(echoHandler("v2"));
    const first = await startTestProxy({ v1: v1.url, v2: v2.url });
    await first.setSplit(splitAt("v1", "v2", 30));
    await first.close();

    await expect(startTestProxy({ v1: v1.url }, { stateFile: first.stateFile })).rejects.toThrow(
      /sends traffic to v2, which is not an upstream of this proxy; add --upstream v2=URL or remove the file/,
    );
  });
});

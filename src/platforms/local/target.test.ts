import { afterEach, describe, expect, it } from "vitest";
import { splitAt } from "../../core/split.js";
import { PlatformError } from "../types.js";
import { LocalTarget } from "./target.js";
import { closeAfterTest, deadUpstreamUrl, proxyWithTwoVersions, startUpstream, stopEverything } from "./test-harness.js";

afterEach(stopEverything);

async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe("LocalTarget", () => {
  it("lists the proxy's versions and reads and applies its split", async () => {
    const proxy = await proxyWithTwoVersions();
    const target = new LocalTarget({ adminUrl: proxy.adminUrl });

    const versions = await target.listVersions();
    expect(versions.map(({ id }) => id)).toEqual(["v1", "v2"]);
    expect(versions[0]!.description).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect(await target.currentSplit()).toEqual([{ version: "v1", percent: 100 }]);
    await target.applySplit(splitAt("v1", "v2", 10), "stage 1");
    await target.applySplit(splitAt("v1", "v2", 10), "stage 1");
    expect(await target.currentSplit()).toEqual(splitAt("v1", "v2", 10));
    expect(proxy.currentSplit().note).toBe("stage 1");
  });

  it("passes the admin token", async () => {
    const proxy = await proxyWithTwoVersions("t0ken");
    const target = new LocalTarget({ adminUrl: `${proxy.adminUrl}/`, token: "t0ken" });
    await target.applySplit(splitAt("v1", "v2", 50), "half");
    expect(await target.currentSplit()).toEqual(splitAt("v1", "v2", 50));
  });

  it("says the proxy is not running when the admin API cannot be reached, and that retrying may help", async () => {
    const adminUrl = await deadUpstreamUrl();
    const error = await platformError(new LocalTarget({ adminUrl }).currentSplit());
    expect(error.message).toBe(`cannot reach the proxy admin API at ${adminUrl}: is \`glidepath proxy\` running? (ECONNREFUSED)`);
    expect(error.retryable).toBe(true);
  });

  it("says to pass --proxy-token when the token is missing or wrong, and that retrying cannot help", async () => {
    const proxy = await proxyWithTwoVersions("t0ken");
    const missing = await platformError(new LocalTarget({ adminUrl: proxy.adminUrl }).listVersions());
    expect(missing.message).toBe(`the proxy admin API at ${proxy.adminUrl} needs a token; pass --proxy-token`);
    const wrong = await platformError(new LocalTarget({ adminUrl: proxy.adminUrl, token: "nope" }).listVersions());
    expect(wrong.message).toBe(`the proxy admin API at ${proxy.adminUrl} refused the token; pass --proxy-token`);
    expect([missing.retryable, wrong.retryable]).toEqual([false, false]);
  });

  it("passes on the proxy's reason for refusing a split, as not retryable", async () => {
    const proxy = await proxyWithTwoVersions();
    const error = await platformError(new LocalTarget({ adminUrl: proxy.adminUrl }).applySplit(splitAt("v1", "v9", 5), "typo"));
    expect(error.message).toBe("split names version v9, which is not an upstream of this proxy; known versions: v1, v2");
    expect(error.retryable).toBe(false);
  });

  it("treats a server error as retryable and honours Retry-After", async () => {
    const failing = await startUpstream((_, response) => {
      response.writeHead(503, { "content-type": "application/json", "retry-after": "7" });
      response.end(JSON.stringify({ error: { code: "busy", message: "try later" } }));
    });
    closeAfterTest(failing);
    const error = await platformError(new LocalTarget({ adminUrl: failing.url }).currentSplit());
    expect(error.message).toBe(`the proxy admin API at ${failing.url} failed (503: try later)`);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
  });

  it("says when the address is not the admin API, e.g. the proxy's traffic address", async () => {
    const proxy = await proxyWithTwoVersions();
    const error = await platformError(new LocalTarget({ adminUrl: proxy.proxyUrl }).currentSplit());
    expect(error.message).toMatch(/did not answer like the glidepath proxy admin API; is http:\/\/127\.0\.0\.1:\d+ its admin address\?/);
    expect(error.retryable).toBe(false);
  });

  it("gives up on an admin API that does not answer in time", async () => {
    const silent = await startUpstream(() => undefined);
    closeAfterTest(silent);
    const error = await platformError(new LocalTarget({ adminUrl: silent.url, timeoutMs: 50 }).currentSplit());
    expect(error.message).toBe(`the proxy admin API at ${silent.url} did not answer within 0.05s`);
    expect(error.retryable).toBe(true);
  });
});

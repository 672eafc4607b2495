import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { echoHandler, removeTemporaryDirectories, startUpstream, temporaryDirectory } from "../../platforms/local/test-harness.js";
import { UsageError } from "../exit-codes.js";
import { parseUpstreams } from "./proxy.js";

const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url));

afterEach(removeTemporaryDirectories);

describe("parseUpstreams", () => {
  it("reads version=url pairs in the order given", () => {
    expect(parseUpstreams(["v1=http://127.0.0.1:9001", "v2=https://v2.internal/api"])).toEqual(
      new Map([
        ["v1", "http://127.0.0.1:9001"],
        ["v2", "https://v2.internal/api"],
      ]),
    );
  });

  it.each([
    [[], /needs an --upstream for each version, e\.g\. --upstream v1=http/],
    [["v1"], /--upstream v1 is not VERSION=URL; for example --upstream v1=http/],
    [["v1=127.0.0.1:9001"], /127\.0\.0\.1:9001 is not an http\(s\) URL/],
    [["v1=http://a/?q=1"], /is not an http\(s\) URL without query or fragment/],
    [["v1=http://a", "v1=http://b"], /--upstream v1 is given twice/],
  ])("refuses %j with a usage error that shows the right form", (values, message) => {
    expect(() => parseUpstreams(values)).toThrow(UsageError);
    expect(() => parseUpstreams(values)).toThrow(message);
  });
});

describe("glidepath proxy", () => {
  it("serves traffic, prints where it listens and its split, and stops cleanly on SIGTERM", async () => {
    const upstream = await startUpstream(echoHandler("v1"));
    const stateFile = join(await temporaryDirectory(), "split.json");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--upstream", `v1=${upstream.url}`, "--state", stateFile],
      { cwd: repositoryRoot, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      let output = "";
      child.stdout.setEncoding("utf8");
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: string) => {
          output += chunk;
          if (output.includes("\nsplit ")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`glidepath proxy exited with ${code} before it was ready:\n${output}`)));
      });
      expect(output).toMatch(/^glidepath proxy: traffic on http:\/\/127\.0\.0\.1:\d+, admin API on http:\/\/127\.0\.0\.1:\d+\n/);
      expect(output).toContain(`  v1 -> ${upstream.url}\n`);
      expect(output).toContain("split v1=100%");

      const proxyUrl = /traffic on (\S+),/.exec(output)![1]!;
      const response = await request(proxyUrl);
      expect(response.headers["x-glidepath-version"]).toBe("v1");
      await response.body.dump();

      child.kill("SIGTERM");
      const [exitCode] = await once(child, "exit");
      expect(exitCode).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await upstream.close();
    }
  });
});

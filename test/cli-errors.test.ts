import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { closeServer, listen } from "../src/support/listen.js";
import { runCli } from "./support/cli.js";

describe("glidepath commands on bad input", () => {
  it("say which port is taken and what to do, without a stack trace, exit 2", async () => {
    const squatter = createServer();
    const { port } = await listen(squatter, { host: "127.0.0.1", port: 0 });
    try {
      const { code, stderr } = await runCli([
        "proxy",
        "--listen",
        `127.0.0.1:${port}`,
        "--admin",
        "127.0.0.1:0",
        "--upstream",
        "v1=http://127.0.0.1:9001",
        "--state",
        "/tmp/glidepath-port-test/split.json",
      ]);
      expect(code).toBe(2);
      expect(stderr).toBe(`glidepath: 127.0.0.1:${port} is already in use; stop what is listening there or choose another port`);
    } finally {
      await closeServer(squatter);
    }
  });

  it("say which port of the demo's dashboard is taken, exit 2", async () => {
    const squatter = createServer();
    const { port } = await listen(squatter, { host: "127.0.0.1", port: 0 });
    try {
      const { code, stderr } = await runCli(["demo", "--port", String(port), "--json"]);
      expect(code).toBe(2);
      expect(stderr.split("\n").at(-1)).toBe(`glidepath: 127.0.0.1:${port} is already in use; stop what is listening there or choose another port`);
    } finally {
      await closeServer(squatter);
    }
  });

  it("say an address is not this machine's, exit 2", async () => {
    const { code, stderr } = await runCli(["proxy", "--listen", "192.0.2.1:0", "--admin", "127.0.0.1:0", "--upstream", "v1=http://127.0.0.1:9001", "--state", "/tmp/glidepath-port-test/split.json"]);
    expect(code).toBe(2);
    expect(stderr).toBe("glidepath: 192.0.2.1 is not an address of this machine; use 127.0.0.1 or 0.0.0.0");
  });

  it("name the unknown built-in plan and the ones that exist, exit 2", async () => {
    const { code, stderr } = await runCli(["rollout", "--proxy-admin", "http://127.0.0.1:9", "--stable", "v1", "--candidate", "v2", "--plan", "fastest"]);
    expect(code).toBe(2);
    expect(stderr).toBe("glidepath: --plan fastest: no such built-in plan (fast, standard, safe) and no readable file by that name");
  });

  it("refuse --stages that are not increasing percents, exit 2", async () => {
    const { code, stderr } = await runCli([
      "rollout",
      "--proxy-admin",
      "http://127.0.0.1:9",
      "--stable",
      "v1",
      "--candidate",
      "v2",
      "--stages",
      "5,50,20,100",
      "--soak",
      "10m",
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/plan\.stages\[2\]\.percent must be greater than the previous stage's 50.*\(got 20\)/);
  });
});

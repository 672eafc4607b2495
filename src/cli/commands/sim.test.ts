import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerSimCommand } from "./sim.js";

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `glidepath sim cloudflare ...` in-process, collecting what it prints. */
function runSim(args: string[]) {
  let output = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    output += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerSimCommand(program);
  const finished = program.parseAsync(["sim", "cloudflare", ...args], { from: "user" });
  return { finished, output: () => output };
}

describe("glidepath sim cloudflare", () => {
  it("prints the API's URL and the ids it created, serves them with the token, and stops on SIGINT", async () => {
    const sim = runSim(["--port", "0", "--token", "secret", "--script", "shop", "--rps", "50"]);
    await vi.waitFor(() => expect(sim.output()).toContain("glidepath rollout --platform cloudflare"));

    const url = /API on (\S+\/client\/v4)/.exec(sim.output())![1]!;
    const accountId = /account\s+([0-9a-f]{32})/.exec(sim.output())![1]!;
    const candidate = /candidate\s+(\S+) \(uploaded/.exec(sim.output())![1]!;
    const response = await fetch(`${url}/accounts/${accountId}/workers/scripts/shop/versions?deployable=true`, {
      headers: { authorization: "Bearer secret" },
    });
    const body = (await response.json()) as { result: { items: { id: string }[] } };
    expect(body.result.items[0]!.id).toBe(candidate);

    process.emit("SIGINT", "SIGINT");
    await sim.finished;
    expect(sim.output()).toContain("SIGINT: stopping the simulator");
    await expect(fetch(url)).rejects.toThrow();
  });

  it.each([
    [["--rps", "fast"], '--rps must be a number of requests per second >= 0, got "fast"'],
    [["--script", "My Worker"], 'script name "My Worker" must be lower-case letters'],
    [["--sample-interval", "0.5"], '--sample-interval must be a number >= 1, got "0.5"'],
  ])("refuses %j as a usage error", async (args, message) => {
    const sim = runSim(["--port", "0", ...args]);
    await sim.finished;
    expect(process.exitCode).toBe(2);
    expect(sim.output()).toContain(message);
  });
});

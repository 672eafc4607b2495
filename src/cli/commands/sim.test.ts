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

  it("gives each version the outcome rates its flag names", async () => {
    const sim = runSim(["--port", "0", "--script", "shop", "--stable-outcomes", "canceled=0.02", "--candidate-outcomes", "responseStreamDisconnected=0.05, exceededMemory=0.01"]);
    await vi.waitFor(() => expect(sim.output()).toContain("glidepath rollout --platform cloudflare"));
    expect(sim.output()).toContain("(serving 100%; outcomes canceled=0.02)");
    expect(sim.output()).toContain("error rate 0.001; outcomes responseStreamDisconnected=0.05,exceededMemory=0.01)");

    const controlUrl = /control API on (\S+\/__sim)/.exec(sim.output())![1]!;
    const script = (await (await fetch(`${controlUrl}/scripts/shop`)).json()) as { versions: { behaviour: { outcomeRates: unknown } }[] };
    expect(script.versions.map(({ behaviour }) => behaviour.outcomeRates)).toEqual([{ canceled: 0.02 }, { responseStreamDisconnected: 0.05, exceededMemory: 0.01 }]);

    process.emit("SIGINT", "SIGINT");
    await sim.finished;
  });

  it.each([
    [["--rps", "fast"], '--rps must be a number of requests per second >= 0, got "fast"'],
    [["--candidate-outcomes", "exceededMemory"], '--candidate-outcomes takes outcome=rate pairs separated by commas, like responseStreamDisconnected=0.05,exceededMemory=0.01; got "exceededMemory"'],
    [["--candidate-outcomes", "loadShed=0.1,streamHiccup=0.2"], '--candidate-outcomes: "streamHiccup" cannot be given a rate; the outcomes are canceled, responseStreamDisconnected, exception,'],
    [["--stable-outcomes", "ok=0.9"], '--stable-outcomes: "ok" cannot be given a rate; ok is the share the other outcomes leave'],
    [["--stable-outcomes", "loadShed=lots"], '--stable-outcomes: the rate of loadShed must be a share from 0 to 1 (0.05 means 5%), got "lots"'],
    [["--stable-outcomes", "loadShed=1.5"], '--stable-outcomes: the rate of loadShed must be a share from 0 to 1 (0.05 means 5%), got "1.5"'],
    [["--candidate-outcomes", "loadShed=0.1,loadShed=0.2"], "--candidate-outcomes gives loadShed twice"],
    [["--candidate-outcomes", "loadShed=0.6,unknown=0.6"], "--candidate-outcomes: the rates add up to 1.2; they can add up to 1 at most"],
    [["--script", "My Worker"], 'script name "My Worker" must be lower-case letters'],
    [["--sample-interval", "0.5"], '--sample-interval must be a number >= 1, got "0.5"'],
    [["--retention-seconds", "0"], '--retention-seconds must be a number of seconds > 0, got "0"'],
  ])("refuses %j as a usage error", async (args, message) => {
    const sim = runSim(["--port", "0", ...args]);
    await sim.finished;
    expect(process.exitCode).toBe(2);
    expect(sim.output()).toContain(message);
  });
});

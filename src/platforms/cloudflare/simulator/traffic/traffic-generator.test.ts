import { describe, expect, it } from "vitest";
import { CloudflareSimulator } from "../simulator.js";
import { virtualClock } from "../test-harness.js";

function simulator(seed = 11, retentionSeconds?: number) {
  const clock = virtualClock();
  const sim = new CloudflareSimulator({ clock, seed, ...(retentionSeconds === undefined ? {} : { retentionSeconds }) });
  const { accountId, versionIds } = sim.createScript({ script: "shop", rps: 100, versions: [{}, {}] });
  const requestsOf = (fromMs: number, toMs: number) => {
    const counts = new Map<string, number>();
    for (const { cells } of sim.visibleSeconds(accountId, fromMs, toMs)) {
      for (const { versionId, sampled } of cells) counts.set(versionId, (counts.get(versionId) ?? 0) + sampled);
    }
    return counts;
  };
  return { sim, clock, accountId, stable: versionIds[0]!, candidate: versionIds[1]!, requestsOf };
}

describe("traffic generator", () => {
  it("draws the same traffic from the same seed", () => {
    const totals = [1, 2].map(() => {
      const { clock, requestsOf, stable } = simulator(5);
      const start = clock.now();
      clock.advanceSeconds(30);
      return requestsOf(start, clock.now()).get(stable);
    });
    expect(totals[0]).toBeGreaterThan(2500);
    expect(totals[0]).toBe(totals[1]);
  });

  it("keeps the old split for the seconds before a deployment", () => {
    const { sim, clock, stable, candidate, requestsOf } = simulator();
    const start = clock.now();
    clock.advanceSeconds(10);
    const deployedAt = clock.now();
    sim.deployByHand("shop", [{ version_id: candidate, percentage: 100 }]);
    clock.advanceSeconds(10);

    expect([...requestsOf(start, deployedAt).keys()]).toEqual([stable]);
    expect([...requestsOf(deployedAt, clock.now()).keys()]).toEqual([candidate]);
  });

  it("follows a change of rps from the moment it is made", () => {
    const { sim, clock, stable, requestsOf } = simulator();
    const start = clock.now();
    clock.advanceSeconds(10);
    sim.setRps("shop", 0);
    clock.advanceSeconds(10);
    expect(requestsOf(start + 10_000, clock.now()).get(stable)).toBeUndefined();
    expect(requestsOf(start, start + 10_000).get(stable)).toBeGreaterThan(800);
  });

  it("forgets traffic older than the retention", () => {
    const { clock, stable, requestsOf } = simulator(11, 60);
    const start = clock.now();
    clock.advanceSeconds(120);
    expect(requestsOf(start, start + 60_000).get(stable)).toBeUndefined();
    expect(requestsOf(start + 60_000, clock.now()).get(stable)).toBeGreaterThan(5000);
  });
});

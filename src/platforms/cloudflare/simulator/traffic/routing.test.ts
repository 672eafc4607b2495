import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { behaviour } from "../behaviour.test-support.js";
import { CloudflareSimulator } from "../simulator.js";

function simulatorWithTwoVersions() {
  const sim = new CloudflareSimulator({ seed: 7 });
  const { versionIds } = sim.createScript({ script: "shop", versions: [{ behaviour: behaviour() }, { behaviour: behaviour() }] });
  const [stable, candidate] = versionIds as [string, string];
  const deployCandidateAt = (percent: number) =>
    sim.deployByHand("shop", [
      { version_id: stable, percentage: 100 - percent },
      { version_id: candidate, percentage: percent },
    ]);
  return { sim, stable, candidate, deployCandidateAt };
}

describe("routing by Cloudflare-Workers-Version-Key", () => {
  it("keeps a key on the new version as its share grows", () => {
    const { sim, candidate, deployCandidateAt } = simulatorWithTwoVersions();
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (key, a, b) => {
        const [lower, higher] = a <= b ? [a, b] : [b, a];
        deployCandidateAt(lower);
        const before = sim.simulateRequest("shop", { key }).versionId;
        deployCandidateAt(higher);
        const after = sim.simulateRequest("shop", { key }).versionId;
        return before !== candidate || after === candidate;
      }),
    );
  });

  it("sends about the candidate's share of keys to it", () => {
    const { sim, candidate, deployCandidateAt } = simulatorWithTwoVersions();
    deployCandidateAt(25);
    const onCandidate = Array.from({ length: 4000 }, (_, i) => sim.simulateRequest("shop", { key: `user-${i}` })).filter(
      ({ versionId }) => versionId === candidate,
    ).length;
    expect(onCandidate / 4000).toBeCloseTo(0.25, 1);
  });
});

describe("routing by Cloudflare-Workers-Version-Overrides", () => {
  it("honours a version of the live deployment, even at 0%", () => {
    const { sim, candidate, deployCandidateAt } = simulatorWithTwoVersions();
    deployCandidateAt(0);
    for (let i = 0; i < 20; i++) expect(sim.simulateRequest("shop", { overrides: `shop="${candidate}"` }).versionId).toBe(candidate);
  });

  it("ignores a version that is not deployed, another worker's entry and a header that does not parse", () => {
    const { sim, stable, candidate } = simulatorWithTwoVersions();
    for (const overrides of [`shop="${candidate}"`, `other="${candidate}"`, `shop=${candidate}`, "shop=\"unterminated"]) {
      expect(sim.simulateRequest("shop", { overrides }).versionId).toBe(stable);
    }
  });

  it("reads the script's entry among several workers", () => {
    const { sim, candidate, deployCandidateAt } = simulatorWithTwoVersions();
    deployCandidateAt(0);
    expect(sim.simulateRequest("shop", { overrides: `auth="00000000-0000-4000-8000-000000000000", shop="${candidate}"` }).versionId).toBe(candidate);
  });
});

import { describe, expect, it } from "vitest";
import { splitAt } from "../../core/split.js";
import { CloudflareTarget } from "./target.js";
import { ACCOUNT_ID, platformError, simulatedWorker, WORKER } from "./test-harness.js";

async function targetOnSimulator(versionCount = 2) {
  const worker = await simulatedWorker({ versions: Array.from({ length: versionCount }, (_, i) => ({ message: `release ${i + 1}` })) });
  return { ...worker, target: new CloudflareTarget(worker.api(), { clock: worker.clock, propagationDelayMs: 3000 }) };
}

describe("CloudflareTarget", () => {
  it("lists the deployable versions, newest first, and stops although the API ignores paging for them", async () => {
    const { target, versionIds } = await targetOnSimulator(25);
    const versions = await target.listVersions();
    expect(versions.map(({ id }) => id)).toEqual([...versionIds].reverse());
    expect(versions[0]!.description).toMatch(/^#25, uploaded 2026-11-22T03:00:00\.000000Z by simulator@glidepath\.invalid: release 25$/);
  });

  it("lists only the newest 100 versions, the ones Cloudflare can deploy", async () => {
    const { target, versionIds } = await targetOnSimulator(105);
    const versions = await target.listVersions();
    expect(versions).toHaveLength(100);
    expect(versions.at(-1)!.id).toBe(versionIds[5]);
  });

  it("reads the live split from the newest deployment", async () => {
    const { target, control, versionIds } = await targetOnSimulator();
    const [stable, candidate] = versionIds as [string, string];
    expect(await target.currentSplit()).toEqual([{ version: stable, percent: 100 }]);
    control.deployByHand(WORKER, [
      { version_id: stable, percentage: 70 },
      { version_id: candidate, percentage: 30 },
    ]);
    expect(await target.currentSplit()).toEqual(splitAt(stable, candidate, 30));
  });

  it("deploys a split with the note as its message, and does nothing when it is already live", async () => {
    const { target, control, versionIds } = await targetOnSimulator();
    const [stable, candidate] = versionIds as [string, string];
    await target.applySplit(splitAt(stable, candidate, 5), "glidepath: stage 1 of 4");
    await target.applySplit(splitAt(stable, candidate, 5), "glidepath: stage 1 of 4");
    const history = control.deploymentHistory(WORKER);
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({
      source: "api",
      message: "glidepath: stage 1 of 4",
      split: [
        { version_id: stable, percentage: 95 },
        { version_id: candidate, percentage: 5 },
      ],
    });
    expect(await target.currentSplit()).toEqual(splitAt(stable, candidate, 5));
  });

  it("sends percentages with three decimals, as wrangler does, and does not deploy the same split again for its rounding", async () => {
    const { target, control, versionIds } = await targetOnSimulator();
    const [stable, candidate] = versionIds as [string, string];
    await target.applySplit(splitAt(stable, candidate, 100 / 3), "a third");
    await target.applySplit(splitAt(stable, candidate, 100 / 3), "a third");
    expect(control.deploymentHistory(WORKER)).toHaveLength(2);
    expect(control.deploymentHistory(WORKER).at(-1)!.split).toEqual([
      { version_id: stable, percentage: 66.667 },
      { version_id: candidate, percentage: 33.333 },
    ]);
  });

  it("prepares an override by deploying the version at 0% beside the stable one, then waits for it to propagate", async () => {
    const { target, control, clock, versionIds } = await targetOnSimulator();
    const [stable, candidate] = versionIds as [string, string];
    await target.prepareOverride(stable, candidate, "glidepath: preflight");
    expect(control.deploymentHistory(WORKER).at(-1)).toMatchObject({
      message: "glidepath: preflight",
      split: [
        { version_id: stable, percentage: 100 },
        { version_id: candidate, percentage: 0 },
      ],
    });
    expect(clock.sleeps).toEqual([3000]);

    await target.prepareOverride(stable, candidate, "glidepath: preflight");
    expect(control.deploymentHistory(WORKER)).toHaveLength(2);
    expect(clock.sleeps).toEqual([3000]);
  });

  it("routes a request carrying the override headers to the prepared version, which gets no other traffic", async () => {
    const { target, control, versionIds } = await targetOnSimulator();
    const [stable, candidate] = versionIds as [string, string];
    await target.prepareOverride(stable, candidate, "glidepath: preflight");
    const overrides = target.overrideHeaders(candidate)["Cloudflare-Workers-Version-Overrides"];
    expect(control.simulateRequest(WORKER, { overrides }).versionId).toBe(candidate);
    expect(control.simulateRequest(WORKER).versionId).toBe(stable);
  });

  it("names the Worker in the override header, as a structured-field dictionary", async () => {
    const { target } = await targetOnSimulator();
    expect(target.overrideHeaders("0a1b2c3d-0000-4000-8000-000000000000")).toEqual({
      "Cloudflare-Workers-Version-Overrides": `${WORKER}="0a1b2c3d-0000-4000-8000-000000000000"`,
    });
  });

  describe("says what went wrong, and whether retrying helps", () => {
    it("a bad token", async () => {
      const worker = await simulatedWorker();
      const error = await platformError(new CloudflareTarget(worker.api({ apiToken: "expired" })).currentSplit());
      expect(error.message).toBe(
        "Cloudflare refused the API token: check CLOUDFLARE_API_TOKEN; it needs Workers Scripts Edit and Account Analytics Read (403 code 10000: Authentication error)",
      );
      expect(error.retryable).toBe(false);
    });

    it("an unknown Worker", async () => {
      const worker = await simulatedWorker();
      const error = await platformError(new CloudflareTarget(worker.api({ worker: "storefrnt" })).listVersions());
      expect(error.message).toBe(`no Worker named storefrnt in account ${ACCOUNT_ID}: check --worker and --account-id`);
      expect(error.retryable).toBe(false);
    });

    it("a rate limit, with the delay Cloudflare asked for", async () => {
      const { target, control } = await targetOnSimulator();
      control.injectFault({ status: 429, count: 1, retryAfterSeconds: 20 });
      const error = await platformError(target.currentSplit());
      expect(error.message).toBe("Cloudflare is rate limiting this API token (429 code 971: Please wait and consider throttling your request speed)");
      expect([error.retryable, error.retryAfterMs]).toEqual([true, 20_000]);
      expect(await target.currentSplit()).toHaveLength(1);
    });

    it("a server error", async () => {
      const { target, control } = await targetOnSimulator();
      control.injectFault({ status: 503, count: 1 });
      const error = await platformError(target.listVersions());
      expect(error.message).toBe(`the Cloudflare API failed to list the versions of Worker ${WORKER} (503 code 10013: An unknown error has occurred)`);
      expect(error.retryable).toBe(true);
    });

    it("a split Cloudflare refuses: three versions, or not totalling 100", async () => {
      const { target, versionIds } = await targetOnSimulator(3);
      const [a, b, c] = versionIds as [string, string, string];
      const three = await platformError(
        target.applySplit(
          [
            { version: a, percent: 50 },
            { version: b, percent: 25 },
            { version: c, percent: 25 },
          ],
          "three",
        ),
      );
      expect(three.message).toBe(
        `Cloudflare refused to deploy ${a}=50%, ${b}=25%, ${c}=25% to Worker ${WORKER}: 400 code 10021: versions must list one or two versions, each with a version_id and a percentage`,
      );
      expect(three.retryable).toBe(false);

      const short = await platformError(
        target.applySplit(
          [
            { version: a, percent: 90 },
            { version: b, percent: 9 },
          ],
          "short",
        ),
      );
      expect(short.message).toBe(`Cloudflare refused to deploy ${a}=90%, ${b}=9% to Worker ${WORKER}: 400 code 10021: percentages must total 100, got 99`);
      expect(short.retryable).toBe(false);
    });

    it("an API that cannot be reached", async () => {
      const worker = await simulatedWorker();
      const url = worker.sim.url;
      await worker.sim.close();
      const error = await platformError(new CloudflareTarget(worker.api()).currentSplit());
      expect(error.message).toBe(`cannot reach the Cloudflare API at ${url} (ECONNREFUSED)`);
      expect(error.retryable).toBe(true);
    });

    it("a base URL that is not the API's", async () => {
      const worker = await simulatedWorker();
      const wrongBase = worker.sim.url.replace(/\/client\/v4$/, "");
      const error = await platformError(new CloudflareTarget(worker.api({ apiBaseUrl: wrongBase })).currentSplit());
      expect(error.message).toMatch(/has no such endpoint \(HTTP 404\): is the API base URL right\? It ends in \/client\/v4$/);
      expect(error.retryable).toBe(false);
    });
  });
});

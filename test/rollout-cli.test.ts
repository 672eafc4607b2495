import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runLoad } from "../src/demo/load-generator.js";
import { startSampleService, type SampleService } from "../src/demo/sample-service.js";
import { jsonLines, killStartedCommands, runCli, startCli, type CliProcess } from "./support/cli.js";
import { quickPlan } from "./support/quick-plan.js";

const PLAN = quickPlan(20);

/** Everything a rollout needs, as real processes and servers: two versions, the proxy, steady load. */
interface Stage {
  dir: string;
  planFile: string;
  services: SampleService[];
  proxyUrl: string;
  proxy: CliProcess;
  adminUrl: string;
  stopLoad: AbortController;
  load: Promise<unknown>;
  /** Every split the proxy served, from its log. */
  splits(): string[];
}

let stage: Stage;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), "glidepath-cli-"));
  const planFile = join(dir, "plan.yaml");
  writeFileSync(planFile, PLAN);
  const loopback = { host: "127.0.0.1", port: 0 };
  const services = [
    await startSampleService({ ...loopback, name: "v1", latencyMs: 2 }),
    await startSampleService({ ...loopback, name: "v2", latencyMs: 2 }),
  ];
  const proxy = startCli([
    "proxy",
    "--listen",
    "127.0.0.1:0",
    "--admin",
    "127.0.0.1:0",
    "--upstream",
    `v1=${services[0]!.url}`,
    "--upstream",
    `v2=${services[1]!.url}`,
    "--state",
    join(dir, "split.json"),
  ]);
  const listening = await proxy.waitForLine((line) => /admin/i.test(line) && /http:\/\//.test(line));
  const [proxyUrl, adminUrl] = [...listening.matchAll(/http:\/\/[\d.]+:\d+/g)].map((match) => match[0]);
  const stopLoad = new AbortController();
  stage = {
    dir,
    planFile,
    services,
    proxy,
    proxyUrl: proxyUrl!,
    adminUrl: adminUrl!,
    stopLoad,
    load: runLoad({ url: proxyUrl!, rps: 200, signal: stopLoad.signal }),
    splits: () => proxy.lines.filter((line) => line.startsWith("split ")).map((line) => line.replace(/ \(.*\)$/, "")),
  };
});

afterEach(async () => {
  // The proxy, and whatever a test that failed midway left running.
  killStartedCommands();
  await stage.proxy.exited;
  stage.stopLoad.abort();
  await stage.load;
  await Promise.all(stage.services.map((service) => service.close()));
  rmSync(stage.dir, { recursive: true, force: true });
});

const rolloutArgs = () => [
  "rollout",
  "--proxy-admin",
  stage.adminUrl,
  "--stable",
  "v1",
  "--candidate",
  "v2",
  "--plan",
  stage.planFile,
  "--data-dir",
  join(stage.dir, "data"),
  "--name",
  "checkout",
  "--json",
];

const PLAN_SPLITS = ["split v1=100%", "split v1=90% v2=10%", "split v1=50% v2=50%", "split v2=100%"];

describe("glidepath rollout", () => {
  it("promotes a healthy candidate and exits 0", async () => {
    const { code, stdout } = await runCli(rolloutArgs());

    const summary = jsonLines(stdout).at(-1)!;
    expect(code).toBe(0);
    expect(summary).toMatchObject({ type: "summary", state: "succeeded", finalSplit: [{ version: "v2", percent: 100 }] });
    expect(stage.splits()).toEqual(PLAN_SPLITS);
  });

  it("rolls back a candidate that fails requests and exits 3, naming the SLO and its values", async () => {
    stage.services[1]!.setFaults({ errorRate: 0.5 });

    const { code, stdout } = await runCli(rolloutArgs());

    const summary = jsonLines(stdout).at(-1)!;
    expect(code).toBe(3);
    expect(summary).toMatchObject({ state: "rolled_back", finalSplit: [{ version: "v1", percent: 100 }] });
    expect(summary.reason).toMatch(/error_rate <= 0.05: v2 0\.[3-7]\d* \(v1 0\)/);
    expect(summary.failedSlos).toEqual([expect.objectContaining({ rule: "error_rate <= 0.05", verdict: "fail" })]);
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=90% v2=10%", "split v1=100%"]);
  });

  it("resumes after SIGKILL mid-soak and finishes the same way, serving only the plan's splits", async () => {
    const first = startCli(rolloutArgs());
    await first.waitForLine((line) => line.includes('"type":"stage_started"') && line.includes('"stageIndex":1'));
    await first.waitForLine((line) => line.includes('"type":"check_completed"') && line.includes('"stageIndex":1'));
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(jsonLines(first.lines).some((line) => line.type === "summary")).toBe(false);

    const rerun = await runCli(rolloutArgs());

    const events = jsonLines(rerun.stdout);
    expect(rerun.stderr).toBe("");
    expect(rerun.code).toBe(0);
    expect(events.map((event) => event.type)).not.toContain("release_started");
    expect(events.at(-1)).toMatchObject({ state: "succeeded", stages: [{ outcome: "passed" }, { outcome: "passed" }, { outcome: "passed" }] });
    expect(stage.splits().every((split) => PLAN_SPLITS.includes(split))).toBe(true);
    expect(stage.splits().at(-1)).toBe("split v2=100%");
  });

  it("waits at a manual stage until the person at the terminal approves", async () => {
    writeFileSync(stage.planFile, PLAN.replace("{ percent: 50, soak: 3s }", "{ percent: 50, soak: 3s, progression: manual }"));
    const rollout = startCli(rolloutArgs(), { stdin: "pipe" });
    await rollout.waitForLine((line) => line.includes('"type":"awaiting_approval"'));
    expect(stage.splits().at(-1)).toBe("split v1=50% v2=50%");

    rollout.child.stdin!.write("promote-me\napprove\n");
    const { code } = await rollout.exited;

    expect(rollout.stderr).toEqual(['glidepath: unknown command "promote-me"; use one of approve, deny, pause, resume, rollback, promote']);
    expect(code).toBe(0);
    const approved = jsonLines(rollout.lines).find((line) => line.type === "approved");
    expect(approved?.actor).toMatch(/\(cli\)$/);
    expect(stage.splits().at(-1)).toBe("split v2=100%");
  });

  it("probes the candidate before it gets traffic, and rolls back with exit 3 when a probe fails", async () => {
    stage.services[1]!.setFaults({ errorRate: 1 });
    writeFileSync(stage.planFile, `${PLAN}preflight:\n  - { url: "${stage.proxyUrl}/checkout", expectStatus: 200, timeout: 5s }\n`);

    const { code, stdout } = await runCli(rolloutArgs());

    expect(code).toBe(3);
    const [preflight] = jsonLines(stdout).filter((line) => line.type === "preflight_completed");
    expect(preflight).toMatchObject({ passed: false, results: [{ url: `${stage.proxyUrl}/checkout`, status: 500, expectStatus: 200 }] });
    expect(jsonLines(stdout).at(-1)).toMatchObject({
      state: "rolled_back",
      reason: `preflight failed before any traffic moved: ${stage.proxyUrl}/checkout answered 500, expected 200`,
      stages: [{ outcome: "not_reached" }, { outcome: "not_reached" }, { outcome: "not_reached" }],
    });
    expect(stage.splits()).toEqual(["split v1=100%"]);
  });

  it("starts the first stage once every probe of the candidate passes", async () => {
    writeFileSync(stage.planFile, `${PLAN}preflight:\n  - { url: "${stage.proxyUrl}/checkout" }\n`);

    const { code, stdout } = await runCli(rolloutArgs());

    expect(jsonLines(stdout).find((line) => line.type === "preflight_completed")).toMatchObject({ passed: true });
    expect(code).toBe(0);
  });

  it("refuses a split already in flight unless told to adopt it, then takes it over from a stage at or below it", async () => {
    await request(`${stage.adminUrl}/split`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ split: [{ version: "v1", percent: 70 }, { version: "v2", percent: 30 }] }),
    });
    const withoutStable = rolloutArgs().filter((arg, i, args) => arg !== "--stable" && args[i - 1] !== "--stable");

    const refused = await runCli(withoutStable);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("glidepath: traffic is split (v1=70% v2=30%); adopt it to take it over, or name the stable version");

    const adopted = await runCli([...withoutStable, "--adopt"]);
    expect(adopted.code).toBe(0);
    expect(jsonLines(adopted.stdout).find((line) => line.type === "release_started")).toMatchObject({ stable: "v1", adoptedSplit: [{ version: "v1", percent: 70 }, { version: "v2", percent: 30 }] });
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=70% v2=30%", "split v1=90% v2=10%", "split v1=50% v2=50%", "split v2=100%"]);
  });

  it("cancels on SIGINT, puts 100% back on stable and exits 4", async () => {
    const rollout = startCli(rolloutArgs());
    await rollout.waitForLine((line) => line.includes('"type":"check_completed"'));
    rollout.child.kill("SIGINT");

    const { code } = await rollout.exited;

    expect(code).toBe(4);
    expect(jsonLines(rollout.lines).at(-1)).toMatchObject({ state: "cancelled", finalSplit: [{ version: "v1", percent: 100 }] });
  });

  it("refuses a bad plan before any traffic moves, naming the field and value, exit 2", async () => {
    writeFileSync(stage.planFile, PLAN.replace("percent: 50", "percent: 5"));

    const { code, stderr } = await runCli(rolloutArgs());

    expect(code).toBe(2);
    expect(stderr).toContain("plan.stages[1].percent must be greater than the previous stage's 10");
    expect(stderr).toContain("(got 5)");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stage.splits()).toEqual(["split v1=100%"]);
  });

  it("refuses an unknown version with what the proxy has, exit 2", async () => {
    const args = rolloutArgs();
    args[args.indexOf("v2")] = "v3";

    const { code, stderr } = await runCli(args);

    expect(code).toBe(2);
    expect(stderr).toContain('unknown version "v3"; the platform has v1, v2');
  });

  it("says how to start the proxy when its admin API does not answer, exit 2", async () => {
    const args = rolloutArgs();
    args[args.indexOf(stage.adminUrl)] = "http://127.0.0.1:9";

    const { code, stderr } = await runCli(args);

    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot reach the proxy admin API at http:\/\/127.0.0.1:9.*glidepath proxy/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

/** The rollout's arguments with one flag's value changed. */
function withFlag(args: string[], flag: string, value: string): string[] {
  const changed = [...args];
  changed[changed.indexOf(flag) + 1] = value;
  return changed;
}

/** The rollout's arguments without --json: the log's plain lines. */
const plainArgs = () => rolloutArgs().filter((arg) => arg !== "--json");

/** A module run before the CLI, by `node --import`, that makes it crash once the candidate first gets traffic. */
function faultInjector(fault: "exception" | "rejection"): string {
  const file = join(stage.dir, `inject-${fault}.mjs`);
  const crash = fault === "exception" ? 'setImmediate(() => { throw new Error("injected crash"); })' : 'void Promise.reject(new Error("injected crash"))';
  writeFileSync(
    file,
    `const write = process.stdout.write.bind(process.stdout);
let crashed = false;
process.stdout.write = (chunk, ...rest) => {
  const written = write(chunk, ...rest);
  if (!crashed && String(chunk).includes('"type":"split_applied"') && String(chunk).includes('"percent":10')) {
    crashed = true;
    ${crash};
  }
  return written;
};
`,
  );
  return file;
}

describe("glidepath rollout, whatever ends it", () => {
  it("goes on to its end when standard output closes midway, and exits with the release's outcome", async () => {
    stage.services[1]!.setFaults({ errorRate: 0.5 });
    const rollout = startCli(rolloutArgs());
    await rollout.waitForLine((line) => line.includes('"type":"split_applied"') && line.includes('"percent":10'));
    rollout.child.stdout!.destroy();

    const { code } = await rollout.exited;

    expect(rollout.stderr.join("\n")).toMatch(/^glidepath: standard output is closed \(EPIPE\); the release goes on without output/m);
    expect(code).toBe(3);
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=90% v2=10%", "split v1=100%"]);
  });

  it("promotes a healthy candidate to its end with standard output closed after two lines and a SIGPIPE", async () => {
    const rollout = startCli(rolloutArgs());
    await rollout.waitForLine(() => rollout.lines.length >= 2);
    rollout.child.stdout!.destroy();
    rollout.child.kill("SIGPIPE");

    const { code } = await rollout.exited;

    expect(rollout.stderr.join("\n")).toMatch(/^glidepath: standard output is closed \((EPIPE|SIGPIPE)\)/m);
    expect(code).toBe(0);
    expect(stage.splits()).toEqual(PLAN_SPLITS);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("puts 100%% back on stable at %s and says so on standard error, exit 4", async (signal) => {
    const rollout = startCli(rolloutArgs());
    await rollout.waitForLine((line) => line.includes('"type":"split_applied"') && line.includes('"percent":10'));
    rollout.child.kill(signal);

    const { code } = await rollout.exited;

    expect(code).toBe(4);
    expect(rollout.stderr).toEqual([
      `glidepath: ${signal}: cancelling release checkout, which puts 100% of traffic back on v1`,
      "glidepath: release checkout ended cancelled; the split is v1=100%",
    ]);
    expect(jsonLines(rollout.lines).at(-1)).toMatchObject({ state: "cancelled", reason: `cancelled by ${signal}` });
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=90% v2=10%", "split v1=100%"]);
  });

  it.each(["exception", "rejection"] as const)("puts 100%% back on stable when it crashes on an uncaught %s, exit 1", async (fault) => {
    const rollout = startCli(rolloutArgs(), { nodeArgs: ["--import", faultInjector(fault)] });

    const { code } = await rollout.exited;

    expect(code).toBe(1);
    expect(rollout.stderr).toEqual([
      "glidepath: internal error: injected crash: cancelling release checkout, which puts 100% of traffic back on v1",
      "glidepath: release checkout ended cancelled; the split is v1=100%",
    ]);
    expect(jsonLines(rollout.lines).at(-1)).toMatchObject({ state: "cancelled", reason: "glidepath stopped on an internal error (injected crash)" });
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=90% v2=10%", "split v1=100%"]);
  });
});

describe("glidepath rollout refuses before any traffic moves, exit 2", () => {
  it("a data directory another rollout is using", async () => {
    const first = startCli(rolloutArgs());
    await first.waitForLine((line) => line.includes('"type":"release_started"'));

    const second = await runCli(withFlag(rolloutArgs(), "--name", "another"));

    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`glidepath: ${join(stage.dir, "data")} is in use by a glidepath process (pid ${first.child.pid}); stop it or use another --data-dir`);
    first.child.kill("SIGINT");
    expect((await first.exited).code).toBe(4);
  });

  it("a data directory that is a file", async () => {
    const { code, stderr } = await runCli(withFlag(rolloutArgs(), "--data-dir", stage.planFile));

    expect(code).toBe(2);
    expect(stderr).toBe(`glidepath: ${stage.planFile} is a file, not a directory; use another --data-dir`);
    expect(stage.splits()).toEqual(["split v1=100%"]);
  });
});

describe("glidepath rollout run again", () => {
  it("after its release ended says how it ended and exits with its outcome, starting nothing", { timeout: 60_000 }, async () => {
    stage.services[1]!.setFaults({ errorRate: 0.5 });
    const first = await runCli(rolloutArgs());
    expect(first.code).toBe(3);
    const firstSummary = jsonLines(first.stdout).at(-1)!;
    stage.services[1]!.setFaults({ errorRate: 0 });

    const rerun = await runCli(rolloutArgs());

    expect(rerun.code).toBe(3);
    expect(jsonLines(rerun.stdout)).toEqual([firstSummary]);
    expect(rerun.stderr).toMatch(
      new RegExp(
        `^glidepath: release checkout \\(v1 -> v2\\) already ended rolled back \\d+s ago \\(${String(firstSummary.finishedAt).replaceAll(".", "\\.")}\\): ` +
          ".*error_rate <= 0.05.*; nothing was started\\. To roll the same versions out again, rerun with another --name\\.$",
      ),
    );
    expect(stage.splits()).toEqual(["split v1=100%", "split v1=90% v2=10%", "split v1=100%"]);
  });

  it("with other versions under a finished release's name starts a new release, saying so", { timeout: 60_000 }, async () => {
    const first = await runCli(rolloutArgs());
    expect(first.code).toBe(0);

    const back = await runCli(withFlag(withFlag(rolloutArgs(), "--stable", "v2"), "--candidate", "v1"));

    expect(back.code).toBe(0);
    expect(back.stderr).toMatch(/^glidepath: release checkout \(v1 -> v2\) ended succeeded \d+s ago \(.*\): every stage passed; starting a new release of that name$/);
    expect(jsonLines(back.stdout).at(-1)).toMatchObject({ state: "succeeded", stable: "v2", candidate: "v1", finalSplit: [{ version: "v1", percent: 100 }] });
  });
});

describe("glidepath rollout's plain log", () => {
  it("prints a check when it is the first of its stage or its verdict changes, not every check", async () => {
    const { code, stdout } = await runCli(plainArgs());

    expect(code).toBe(0);
    const text = stdout.map((line) => line.replace(/^\d\d:\d\d:\d\d /, ""));
    const stages = text.join("\n").split(/^stage \d\/3: .*$/m).slice(1);
    expect(stages).toHaveLength(3);
    for (const lines of stages.map((stageText) => stageText.split("\n"))) {
      const verdicts = lines.filter((line) => line.startsWith("check ")).map((line) => /^check (pass|FAIL|no verdict)/.exec(line)![1]);
      // Between a stage's first check and its last (the one printed before the next stage), each has a new verdict.
      expect(verdicts.slice(1, -1).every((verdict, i) => verdict !== verdicts[i]), verdicts.join(", ")).toBe(true);
    }
  });

  it("prints the failing check before the rollback, and no check after it", async () => {
    stage.services[1]!.setFaults({ errorRate: 0.5 });

    const { code, stdout } = await runCli(plainArgs());

    expect(code).toBe(3);
    const text = stdout.map((line) => line.replace(/^\d\d:\d\d:\d\d /, ""));
    const rolledBack = text.findIndex((line) => line.startsWith("rolled back to v1"));
    expect(text[rolledBack - 1]).toMatch(/^check FAIL: .*failing error_rate <= 0.05/);
    expect(text.slice(rolledBack).some((line) => line.startsWith("check "))).toBe(false);
    expect(text.at(-1)).toMatch(/^ROLLED BACK checkout: final split v1=100%/);
  });

  it("keeps every check in --json", async () => {
    const { code, stdout } = await runCli(rolloutArgs());

    expect(code).toBe(0);
    const printed = jsonLines(stdout);
    const counted = (printed.at(-1)!.stages as { checks: number }[]).reduce((sum, { checks }) => sum + checks, 0);
    expect(printed.filter((line) => line.type === "check_completed")).toHaveLength(counted);
  });
});

describe("glidepath rollout at a terminal", () => {
  it("asks before a key moves traffic, says which keys a waiting stage takes, and promotes on P then y", async () => {
    writeFileSync(stage.planFile, PLAN.replace("{ percent: 50, soak: 3s }", "{ percent: 50, soak: 3s, progression: manual }"));
    const rollout = startCli(plainArgs(), { terminal: true });
    const keys = (typed: string) => rollout.child.stdin!.write(typed);
    const count = (text: string) => rollout.lines.filter((line) => line.includes(text)).length;
    // The live display redraws itself four times a second: a text shown anew adds to its count.
    const shown = (text: string, times = 1) => rollout.waitForLine(() => count(text) >= times);
    const promoteQuestion = "promote the candidate to 100% now? press y to confirm, any other key to cancel";
    await shown("awaiting approval: press a to approve, d to deny");

    keys("P");
    await shown(promoteQuestion);
    // Each answer other than y drops the question: the next key asks its own.
    keys("n");
    keys("r");
    await shown("roll back to 100% stable now? press y to confirm, any other key to cancel");
    const promoteAsked = count(promoteQuestion);
    keys("x");
    keys("P");
    await shown(promoteQuestion, promoteAsked + 1);
    expect(stage.splits().at(-1)).toBe("split v1=50% v2=50%");
    keys("y");

    const { code } = await rollout.exited;

    expect(code).toBe(0);
    expect(rollout.lines.some((line) => /promoted: v2 serves 100% \(promoted early by .* \(cli\)/.test(line))).toBe(true);
    expect(stage.splits()).toEqual(PLAN_SPLITS);
  });
});

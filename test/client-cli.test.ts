import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceUnderLoad, type ServiceUnderLoad } from "./support/service-under-load.js";
import { deadUpstreamUrl } from "../src/platforms/local/test-harness.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../src/server/test-support.js";
import { closeServer, listen } from "../src/support/listen.js";
import { jsonLines, runCli, startCli } from "./support/cli.js";

const QUICK_PLAN = {
  name: "quick",
  stages: [{ percent: 50, soak: "2s" }, { percent: 100 }],
  slos: [{ sli: "error_rate", max: 0.05 }],
  policy: { checkInterval: "1s", minRequests: 20, failureThreshold: 2 },
};
const GATED_PLAN = { ...QUICK_PLAN, name: "gated", stages: [{ percent: 50, soak: "1s", progression: "manual" }, { percent: 100 }] };

/**
 * Passes requests on to `target`, but breaks the first event stream right after its first release
 * event, as a flaky network would; records the Last-Event-ID of each event stream request.
 */
async function startFlakyForwarder(target: string) {
  const lastEventIds: (string | undefined)[] = [];
  let broken = false;
  const server = createServer((request, response) => {
    void (async () => {
      const isStream = request.url!.endsWith("/events");
      const lastEventId = request.headers["last-event-id"] as string | undefined;
      if (isStream) lastEventIds.push(lastEventId);
      const upstream = await fetch(target + request.url, {
        headers: { authorization: request.headers.authorization!, ...(lastEventId && { "last-event-id": lastEventId }) },
      });
      response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      const breakHere = isStream && !broken;
      broken ||= breakHere;
      let text = "";
      for await (const chunk of upstream.body!) {
        text += Buffer.from(chunk as Uint8Array).toString();
        const blocks = text.split("\n\n").slice(0, -1);
        const firstEvent = blocks.findIndex((block) => /^id:/m.test(block));
        if (breakHere && firstEvent >= 0) {
          response.write(`${blocks.slice(0, firstEvent + 1).join("\n\n")}\n\n`, () => response.socket!.destroy());
          return;
        }
        if (!breakHere) response.write(chunk as Uint8Array);
      }
      response.end();
    })();
  });
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${port}`, lastEventIds, close: () => closeServer(server) };
}

/**
 * The CLI client as a user runs it: real `glidepath` processes against a real server, which drives
 * releases on the local platform (Glidepath's proxy in front of three versions under steady load).
 */
describe("the CLI client", () => {
  let server: TestServer;
  let service: ServiceUnderLoad;
  let dataDir: string;
  /** A user's environment: the server and admin token in the environment, an empty config directory. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "glidepath-client-"));
    server = await startTestServer();
    service = await startServiceUnderLoad();
    const team = `/api/v1/teams/${server.team}`;
    for (const [path, body] of [
      ["connections", { name: "proxy", platform: "local", adminUrl: service.adminUrl }],
      ["plans", QUICK_PLAN],
      ["plans", GATED_PLAN],
      ["targets", { name: "shop", connection: "proxy", settings: {}, defaultPlan: "quick" }],
    ] as const) {
      const response = await server.api(`${team}/${path}`, { json: body });
      expect(response.status, await response.text()).toBe(201);
    }
    env = { GLIDEPATH_SERVER: server.url, GLIDEPATH_TOKEN: ADMIN_TOKEN, GLIDEPATH_TEAM: "", XDG_CONFIG_HOME: join(dataDir, "config") };
  });

  afterAll(async () => {
    await server?.close();
    await service?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("logs in with a token from standard input, keeps it in a 0600 file that later commands use, and logs out", async () => {
    const configHome = join(dataDir, "login-config");
    const asUser = { XDG_CONFIG_HOME: configHome, GLIDEPATH_SERVER: "", GLIDEPATH_TOKEN: "", GLIDEPATH_TEAM: "" };
    const login = startCli(["login", "--server", `${server.url}/`], { env: asUser, stdin: "pipe" });
    login.child.stdin!.end(`${ADMIN_TOKEN}\n`);
    expect((await login.exited).code, login.stderr.join("\n")).toBe(0);
    expect(login.lines.join("\n")).not.toContain(ADMIN_TOKEN);

    const file = join(configHome, "glidepath", "config.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(configHome, "glidepath"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ server: server.url, token: ADMIN_TOKEN, team: "default" });

    const targets = await runCli(["target", "list", "--json"], asUser);
    expect(targets.code, targets.stderr).toBe(0);
    expect(jsonLines(targets.stdout)[0]).toMatchObject({ targets: [{ name: "shop", platform: "local", defaultPlan: "quick" }] });

    expect((await runCli(["logout"], asUser)).code).toBe(0);
    const loggedOut = await runCli(["target", "list"], asUser);
    expect(loggedOut.code).toBe(2);
    expect(loggedOut.stderr).toContain("not logged in: run glidepath login --server URL, or set GLIDEPATH_SERVER and GLIDEPATH_TOKEN");
  });

  it("refuses a wrong token with exit 2 and a message that does not repeat it", async () => {
    const wrong = "gp_wrong_token_0000000000000000000000000000";
    const results = await Promise.all([
      runCli(["login", "--server", server.url, "--token", wrong], env),
      runCli(["release", "list"], { ...env, GLIDEPATH_TOKEN: wrong }),
    ]);
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`the server at ${server.url} refused the API token: this API token is unknown, revoked or expired`);
      expect(result.stderr).not.toContain(wrong);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("names the server it cannot reach", async () => {
    const nowhere = await deadUpstreamUrl();
    const result = await runCli(["target", "list"], { ...env, GLIDEPATH_SERVER: nowhere });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`could not reach the Glidepath server at ${nowhere} (ECONNREFUSED)`);
  });

  it("lists targets and their versions, and says what was not found", async () => {
    const [targets, versions, missing] = await Promise.all([
      runCli(["target", "list"], env),
      runCli(["target", "versions", "shop", "--json"], env),
      runCli(["target", "versions", "nope"], env),
    ]);
    expect(targets.stdout[0]).toMatch(/^NAME\s+PLATFORM\s+CONNECTION\s+DEFAULT PLAN$/);
    expect(targets.stdout[1]).toMatch(/^shop\s+local\s+proxy\s+quick$/);
    expect(jsonLines(versions.stdout)[0]).toEqual({ versions: ["v1", "v2", "v3"].map((id) => expect.objectContaining({ id })) });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no target nope here, or your token cannot see it");
  });

  it("creates a release that watch follows to promotion (exit 0), then one with a faulty candidate to its rollback (exit 3)", async () => {
    const created = await runCli(["release", "create", "--target", "shop", "--candidate", "v2", "--start", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const release = jsonLines(created.stdout)[0] as { id: string };
    expect(release).toMatchObject({ stable: "v1", plan: "quick" });

    const promoted = await runCli(["release", "watch", release.id, "--json"], env);
    expect(promoted.code, promoted.stderr).toBe(0);
    const events = jsonLines(promoted.stdout);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(["release_started", "stage_started", "check_completed", "promoted"]));
    expect(events.at(-1)).toMatchObject({ type: "summary", releaseId: release.id, state: "succeeded", finalSplit: [{ version: "v2", percent: 100 }] });

    const listed = await runCli(["release", "list", "--target", "shop", "--state", "succeeded", "--json"], env);
    expect(jsonLines(listed.stdout)[0]).toMatchObject({ releases: [{ id: release.id, state: "succeeded" }] });

    const flaky = await startFlakyForwarder(server.url);
    const rewatched = await runCli(["release", "watch", release.id, "--json"], { ...env, GLIDEPATH_SERVER: flaky.url });
    await flaky.close();
    expect(rewatched.code, rewatched.stderr).toBe(0);
    const streamedIds = jsonLines(rewatched.stdout).flatMap((line) => (line.type === "summary" ? [] : [line.id]));
    expect(streamedIds).toEqual(events.flatMap((event) => (event.type === "summary" ? [] : [event.id])));
    expect(flaky.lastEventIds).toEqual([undefined, String(streamedIds[0])]);

    const plain = await runCli(["release", "create", "--target", "shop", "--candidate", "v3", "--start", "--wait"], env);
    expect(plain.code, plain.stderr).toBe(3);
    expect(plain.stdout.join("\n")).toMatch(/rolled back to v2/);
    expect(plain.stdout.at(-1)).toMatch(/ROLLED BACK shop v3: final split v2=100%/);
  });

  it("approves a manual stage while watch waits for it", async () => {
    const created = await runCli(["release", "create", "--target", "shop", "--candidate", "v1", "--plan", "gated", "--start", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const { id } = jsonLines(created.stdout)[0] as { id: string };
    const watch = startCli(["release", "watch", id, "--json"], { env });
    const leaving = startCli(["release", "watch", id], { env });
    await watch.waitForLine((line) => line.includes('"type":"awaiting_approval"'));
    await leaving.waitForLine((line) => line.includes("waiting for approval"));
    leaving.child.kill("SIGINT");
    expect((await leaving.exited).code).toBe(130);
    expect(leaving.stderr.join("\n")).toContain(`SIGINT: stopped watching; the release goes on (glidepath release cancel ${id} cancels it)`);

    const approved = await runCli(["release", "approve", id, "--reason", "looks good", "--json"], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(jsonLines(approved.stdout)[0]).toMatchObject({ id });
    expect((await watch.exited).code, watch.stderr.join("\n")).toBe(0);
    expect(jsonLines(watch.lines).find((event) => event.type === "approved")).toMatchObject({ actor: "token bootstrap" });

    const again = await runCli(["release", "approve", id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/glidepath: .+/);
  });

  it("creates a token that is shown once, lists it, holds it to its role, and revokes it", async () => {
    const created = await runCli(["token", "create", "--name", "ci", "--role", "viewer", "--expires-in", "30", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const token = jsonLines(created.stdout)[0] as { id: string; token: string; role: string };
    expect(token.role).toBe("viewer");

    const asViewer = { ...env, GLIDEPATH_TOKEN: token.token };
    const [listed, viewed, forbidden] = await Promise.all([
      runCli(["token", "list"], env),
      runCli(["release", "list"], asViewer),
      runCli(["token", "list"], asViewer),
    ]);
    expect(listed.stdout.find((line) => line.startsWith(token.id))).toMatch(/ci\s+viewer\s+gp_/);
    expect(listed.stdout.join("\n")).not.toContain(token.token);
    expect(viewed.code).toBe(0);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toContain('this needs the admin role in team "default"; you have viewer');

    expect((await runCli(["token", "revoke", token.id], env)).code).toBe(0);
    const revoked = await runCli(["release", "list"], asViewer);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain("refused the API token");
  });
});

import { planToInput, type Plan } from "../../core/plan.js";

/** What the demo sets up on its server: a connection to the demo's platform, a target under it, the plan and the release. */
export interface DemoRelease {
  /** POST /connections without the name: the platform and its settings and credentials. */
  connection: { platform: string } & Record<string, unknown>;
  /** The target's settings on that platform. */
  targetSettings: Record<string, unknown>;
  stable: string;
  candidate: string;
  plan: Plan;
}

const DEMO_TARGET = "demo-service";
const DEMO_RELEASE = "demo";

/**
 * Sets the demo up through the server's API, as any client would, and creates the release with
 * autoStart, so the server's scheduler drives it. Returns the release's id.
 */
export async function createDemoRelease(serverUrl: string, apiToken: string, demo: DemoRelease): Promise<string> {
  const post = apiPoster(serverUrl, apiToken);
  const connection = `demo-${demo.connection.platform}`;
  const plan = `${demo.plan.name}-demo`;
  await post("/connections", { name: connection, ...demo.connection });
  await post("/targets", { name: DEMO_TARGET, connection, settings: demo.targetSettings });
  await post("/plans", planToInput({ ...demo.plan, name: plan }));
  const release = await post("/releases", { target: DEMO_TARGET, stable: demo.stable, candidate: demo.candidate, plan, name: DEMO_RELEASE, autoStart: true });
  return (release as { id: string }).id;
}

/** POSTs to the default team's API; an answer other than success is an Error with the server's message. */
function apiPoster(serverUrl: string, apiToken: string) {
  return async (path: string, body: unknown): Promise<unknown> => {
    const response = await fetch(`${serverUrl}/api/v1/teams/default${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    if (!response.ok) throw new Error(`the demo's server answered POST ${path} with ${response.status}: ${answer?.error?.message ?? response.statusText}`);
    return answer;
  };
}

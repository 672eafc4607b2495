import type { Connection } from "../client/index.js";
import type { PlanChange, RemotePlan } from "./plan-changes.js";

/** The team's own plans on the server; built-in plans are not the team's to change. */
export async function remotePlans({ api, call, team }: Connection): Promise<RemotePlan[]> {
  const { plans } = await call(api.GET("/api/v1/teams/{team}/plans", { params: { path: { team } } }));
  return plans.filter((plan) => !plan.builtIn).map(({ name, revision, document }) => ({ name, revision, document }));
}

/** Makes one change on the server; returns the plan's new revision, or undefined once deleted. */
export async function applyPlanChange({ api, call, team }: Connection, change: PlanChange): Promise<number | undefined> {
  switch (change.action) {
    case "create":
      return (await call(api.POST("/api/v1/teams/{team}/plans", { params: { path: { team } }, body: change.file.document }))).revision;
    case "update":
      return (await call(api.PUT("/api/v1/teams/{team}/plans/{plan}", { params: { path: { team, plan: change.name } }, body: change.file.document }))).revision;
    case "delete":
      await call(api.DELETE("/api/v1/teams/{team}/plans/{plan}", { params: { path: { team, plan: change.name } } }));
      return undefined;
    case "unchanged":
      return undefined;
  }
}

import { Link, useLocation } from "react-router";
import { PlanError } from "../../../../src/core/plan";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { formatDateTime } from "../../format";
import { useTeam } from "../../session/session";
import { summarizePlan, usePlans, type StoredPlan } from "./plan-data";
import "./plans.css";

export function PlansPage() {
  const team = useTeam();
  const plans = usePlans(team.slug);
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const actions = team.can("deployer") && (
    <Link to={`/t/${team.slug}/plans/new`} className="button primary">
      New plan
    </Link>
  );
  return (
    <>
      <PageHeader title="Plans" actions={actions}>
        <p className="muted">How a release moves: its stages, how long each soaks, and the SLOs that roll it back.</p>
      </PageHeader>
      {deleted && (
        <p className="notice notice-ok" role="status">
          Plan {deleted} deleted.
        </p>
      )}
      {plans.isPending && (
        <p className="muted" role="status">
          Loading the plans…
        </p>
      )}
      <ErrorNotice error={plans.error} />
      {plans.data && <PlanLists plans={plans.data.plans} />}
    </>
  );
}

function PlanLists({ plans }: { plans: StoredPlan[] }) {
  const team = useTeam();
  const own = plans.filter((plan) => !plan.builtIn);
  const builtIn = plans.filter((plan) => plan.builtIn);
  return (
    <>
      <section aria-labelledby="team-plans-heading">
        <h2 id="team-plans-heading">Team plans</h2>
        {own.length === 0 ? (
          <p className="muted">
            {team.can("deployer")
              ? "Your team has no plans of its own yet. Create one with New plan, or open a built-in plan below and copy it."
              : "Your team has no plans of its own yet; releases use the built-in plans below. Deployers and admins can create plans."}
          </p>
        ) : (
          <PlanTable plans={own} caption="The team's plans" />
        )}
      </section>
      <section aria-labelledby="built-in-plans-heading">
        <h2 id="built-in-plans-heading">Built-in plans</h2>
        <p className="muted small">They come with Glidepath and cannot be changed; a release without a plan, on a target without a default plan, uses standard.</p>
        <PlanTable plans={builtIn} caption="Built-in plans" />
      </section>
    </>
  );
}

function PlanTable({ plans, caption }: { plans: StoredPlan[]; caption: string }) {
  const team = useTeam();
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Plan</th>
            <th scope="col">Stages</th>
            <th scope="col" className="number">
              Total soak
            </th>
            <th scope="col" className="number">
              SLOs
            </th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {plans.map((plan) => {
            const summary = summarizePlan(plan.document);
            return (
              <tr key={plan.name}>
                <th scope="row" className="plan-name-cell">
                  <Link to={`/t/${team.slug}/plans/${plan.name}`}>{plan.name}</Link> {plan.builtIn && <span className="badge">Built-in</span>}
                </th>
                {summary instanceof PlanError ? (
                  <td colSpan={3} className="field-error">
                    No longer valid: {summary.message}
                  </td>
                ) : (
                  <>
                    <td className="plan-stages-cell">
                      {summary.stages}
                      {summary.manualStages > 0 && <span className="muted small"> ({summary.manualStages === 1 ? "1 manual stage" : `${summary.manualStages} manual stages`})</span>}
                    </td>
                    <td className="number">{summary.totalSoak}</td>
                    <td className="number">{summary.slos}</td>
                  </>
                )}
                <td>{plan.builtIn ? <span className="muted">—</span> : `${formatDateTime(plan.updatedAt)} (revision ${plan.revision})`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

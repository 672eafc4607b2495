import { useQueryClient } from "@tanstack/react-query";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { useTeam } from "../../session/session";
import { planKeys, usePlan, usePlans, type StoredPlan } from "./plan-data";
import { PlanEditor } from "./plan-editor";
import { starterForm, toForm, type PlanDocument } from "./plan-form";
import "./plans.css";

/** What another page hands this one through the history entry's state. */
interface EditorState {
  /** "Copy to a new plan": the document to start from. */
  copyOf?: PlanDocument;
  /** Set after creating the plan, to say so. */
  created?: boolean;
}

export function PlanEditorPage() {
  const { plan } = useParams();
  return plan === undefined ? <NewPlan /> : <ExistingPlan key={plan} name={plan} />;
}

function NewPlan() {
  const team = useTeam();
  const plans = usePlans(team.slug);
  const state = (useLocation().state ?? {}) as EditorState;
  if (!team.can("deployer")) {
    return (
      <>
        <PageHeader title="New plan" />
        <p className="notice notice-warn">
          Your role in this team is {team.role}: you can read plans, but creating them needs the deployer or admin role. <Link to={`/t/${team.slug}/plans`}>Back to the plans</Link>
        </p>
      </>
    );
  }
  if (plans.isPending) return <Loading title="New plan" />;
  if (plans.error) return <Failed title="New plan" error={plans.error} />;
  const all = plans.data.plans;
  const copyOf = state.copyOf;
  const initial = copyOf ? { ...toForm(copyOf), name: copyName(String(copyOf.name ?? "plan"), all) } : starterForm(all.find((stored) => stored.builtIn && stored.name === "standard")?.document);
  return (
    <>
      <PageHeader title="New plan">
        <p className="muted">{copyOf ? `A copy of ${String(copyOf.name)}: give it a name, change what you need, then save it.` : "Starts as the built-in standard plan: change what you need, name it, then save it."}</p>
      </PageHeader>
      <PlanEditor initial={initial} takenNames={all.filter((stored) => !stored.builtIn).map((stored) => stored.name)} readOnly={false} />
    </>
  );
}

function ExistingPlan({ name }: { name: string }) {
  const team = useTeam();
  const plan = usePlan(team.slug, name);
  const state = (useLocation().state ?? {}) as EditorState;
  if (plan.isPending) return <Loading title={`Plan ${name}`} />;
  if (plan.error) return <Failed title={`Plan ${name}`} error={plan.error} />;
  const stored = plan.data;
  const canEdit = team.can("deployer") && !stored.builtIn;
  return (
    <>
      <PageHeader title={`Plan ${stored.name}`} actions={<PlanActions stored={stored} />}>
        <p className="muted">
          {stored.builtIn ? <span className="badge">Built-in</span> : `Revision ${stored.revision}`} · <Link to={`/t/${team.slug}/plans`}>All plans</Link>
        </p>
      </PageHeader>
      {state.created && (
        <p className="notice notice-ok" role="status">
          Plan {stored.name} created. Releases can use it now; a target can make it its default.
        </p>
      )}
      {stored.builtIn && <p className="notice notice-warn">Built-in plans come with Glidepath and cannot be changed.{team.can("deployer") && " Copy it to a new plan to make your own."}</p>}
      {!stored.builtIn && !team.can("deployer") && <p className="notice notice-warn">Your role in this team is {team.role}: you can read this plan; changing it needs the deployer or admin role.</p>}
      <PlanEditor initial={toForm(stored.document)} stored={stored} takenNames={[]} readOnly={!canEdit} />
    </>
  );
}

/** Copy (deployers and admins) and Delete (admins, team plans only). */
function PlanActions({ stored }: { stored: StoredPlan }) {
  const team = useTeam();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (!team.can("deployer")) return null;
  const remove = async () => {
    await unwrap(api.DELETE("/api/v1/teams/{team}/plans/{plan}", { params: { path: { team: team.slug, plan: stored.name } } }));
    await queryClient.invalidateQueries({ queryKey: planKeys.all(team.slug), exact: true });
    navigate(`/t/${team.slug}/plans`, { state: { deleted: stored.name } });
    queryClient.removeQueries({ queryKey: planKeys.one(team.slug, stored.name) });
  };
  return (
    <>
      <button type="button" className="button" onClick={() => navigate(`/t/${team.slug}/plans/new`, { state: { copyOf: stored.document } satisfies EditorState })}>
        Copy to a new plan
      </button>
      {team.can("admin") && !stored.builtIn && (
        <ConfirmDialog
          label="Delete plan"
          title={`Delete plan ${stored.name}?`}
          consequence={
            <p>
              Plan {stored.name} will be deleted. Releases that used it keep the copy they started with; targets that have it as their default plan will have none, so their releases fall back to
              the built-in standard plan.
            </p>
          }
          confirmLabel="Delete plan"
          danger
          onConfirm={remove}
        />
      )}
    </>
  );
}

/** "standard-copy", or "standard-copy-2" when that is taken. */
function copyName(name: string, plans: StoredPlan[]): string {
  const taken = new Set(plans.map((plan) => plan.name));
  const base = `${name}-copy`;
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

function Loading({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <p className="muted" role="status">
        Loading the plan…
      </p>
    </>
  );
}

function Failed({ title, error }: { title: string; error: unknown }) {
  const team = useTeam();
  return (
    <>
      <PageHeader title={title} />
      <ErrorNotice error={error} />
      <p>
        <Link to={`/t/${team.slug}/plans`}>Back to the plans</Link>
      </p>
    </>
  );
}

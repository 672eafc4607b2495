import { useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { formatPercent } from "../../components/split-bar";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { useTeam } from "../../session/session";
import type { ReleaseDetail } from "./release-model";

type CommandName = "start" | "approve" | "deny" | "pause" | "resume" | "promote" | "cancel" | "rollback";
type CommandPath = `/api/v1/teams/{team}/releases/{release}/${CommandName}` & keyof paths;

interface Action {
  command: CommandName;
  label: string;
  title: string;
  confirmLabel: string;
  consequence: string;
  askReason?: boolean;
  reasonLabel?: string;
  danger?: boolean;
}

/**
 * The commands the release's state allows (as src/core/step.ts does), for a deployer or an
 * admin; a viewer gets none. Each names what happens to traffic before it is sent.
 */
export function ReleaseActions({ release, onDone }: { release: ReleaseDetail; onDone(): Promise<unknown> }) {
  const team = useTeam();
  // While a confirmation is open, live updates must not take its button (and dialog) away: the
  // person finishes with what they read, and a command the new state refuses shows why.
  const [held, setHeld] = useState<ReleaseDetail | null>(null);
  if (!team.can("deployer")) return null;
  const shown = held ?? release;

  const send = async (command: CommandName, reason: string | undefined) => {
    const path = `/api/v1/teams/{team}/releases/{release}/${command}` as CommandPath;
    await unwrap(api.POST(path, { params: { path: { team: team.slug, release: release.id } }, body: reason ? { reason } : {} }));
    await onDone();
  };

  return (
    <div className="release-actions" onFocus={(event) => setHeld(holdWhileConfirming(event.currentTarget, held ?? release))}>
      {actionsFor(shown).map((action) => (
        <ConfirmDialog
          key={action.command}
          label={action.label}
          title={action.title}
          consequence={<p>{action.consequence}</p>}
          confirmLabel={action.confirmLabel}
          askReason={action.askReason}
          reasonLabel={action.reasonLabel}
          danger={action.danger}
          opener={action.danger ? "danger" : "plain"}
          onConfirm={(reason) => send(action.command, reason)}
        />
      ))}
    </div>
  );
}

/**
 * The release to show actions for: the one held while a dialog is open, else none (the live one).
 * When the hold ends and the opener is gone, focus goes to the page rather than nowhere.
 */
function holdWhileConfirming(actions: HTMLElement, release: ReleaseDetail): ReleaseDetail | null {
  if (actions.querySelector("dialog[open]")) return release;
  requestAnimationFrame(() => {
    if (document.activeElement === document.body) document.getElementById("main")?.focus();
  });
  return null;
}

function actionsFor(release: ReleaseDetail): Action[] {
  const { state, stable, candidate, stages } = release;
  const current = release.stage;
  const next = current ? stages[current.index + 1] : undefined;
  const stableTakesAll = `${stable} gets 100% of traffic at once; ${candidate} gets none.`;
  const splitNow = release.split.map((part) => `${part.version} ${formatPercent(part.percent)}`).join(", ");
  const actions: Action[] = [];

  if (state === "pending") {
    actions.push({
      command: "start",
      label: "Start",
      title: "Start this release?",
      confirmLabel: "Start",
      consequence: `Glidepath runs the plan's preflight probes, if any, then sends ${stages[0]?.percent ?? 0}% of traffic to ${candidate} (stage 1 of ${stages.length}).`,
    });
  }
  if (state === "awaiting_approval") {
    actions.push(
      {
        command: "approve",
        label: "Approve",
        title: "Approve the next stage?",
        confirmLabel: "Approve stage",
        askReason: true,
        reasonLabel: "Reason (optional, kept in the audit log)",
        consequence: next
          ? `${candidate} goes from ${current?.percent}% to ${next.percent}% of traffic (stage ${next.index + 1} of ${stages.length}).`
          : `${candidate} keeps 100% of traffic and the release ends as promoted.`,
      },
      {
        command: "deny",
        label: "Deny",
        title: "Deny the next stage?",
        confirmLabel: "Deny",
        askReason: true,
        danger: true,
        consequence: `${stableTakesAll} The release ends as cancelled.`,
      },
    );
  }
  if (state === "running" || state === "awaiting_approval") {
    actions.push({
      command: "pause",
      label: "Pause",
      title: "Pause this release?",
      confirmLabel: "Pause",
      askReason: true,
      consequence: `Traffic stays as it is (${splitNow}); checks and the soak stop until someone resumes.`,
    });
  }
  if (state === "paused") {
    actions.push({
      command: "resume",
      label: "Resume",
      title: "Resume this release?",
      confirmLabel: "Resume",
      consequence: `Glidepath puts back its split (${splitNow}) if someone changed it, and checks and the soak carry on.`,
    });
  }
  if (state === "running" || state === "awaiting_approval" || state === "paused") {
    actions.push({
      command: "promote",
      label: "Promote now",
      title: `Promote ${candidate} now?`,
      confirmLabel: "Promote",
      askReason: true,
      consequence: `${candidate} gets 100% of traffic at once and the release ends as promoted, skipping the stages and checks left.`,
    });
  }
  if (state === "pending" || state === "running" || state === "awaiting_approval" || state === "paused") {
    actions.push({
      command: "cancel",
      label: "Cancel release",
      title: "Cancel this release?",
      confirmLabel: "Cancel release",
      askReason: true,
      danger: true,
      consequence:
        state === "pending" && !release.split.some((part) => part.version === candidate && part.percent > 0)
          ? `${stable} keeps all traffic; the release ends as cancelled without starting.`
          : `${stableTakesAll} The release ends as cancelled.`,
    });
  }
  if (state === "running" || state === "awaiting_approval" || state === "paused") {
    actions.push({
      command: "rollback",
      label: "Roll back now",
      title: "Roll back now?",
      confirmLabel: "Roll back",
      askReason: true,
      danger: true,
      consequence: `${stableTakesAll} The release ends as rolled back.`,
    });
  }
  return actions;
}

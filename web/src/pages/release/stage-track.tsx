import type { Plan } from "../../../../src/core/plan";
import { SplitBar } from "../../components/split-bar";
import { formatDuration } from "../../../../src/core/duration";
import { isTerminalState, type ReleaseDetail, type StageView } from "./release-model";
import { useNow } from "./use-now";

/** The plan's stages as a track: done, the current one with its live split and soak, then those to come. */
export function StageTrack({ release, plan }: { release: ReleaseDetail; plan: Plan | null }) {
  return (
    <section className="card" aria-labelledby="stages-heading">
      <h2 id="stages-heading">Stages</h2>
      {release.state === "pending" && <p className="muted small">Not started: {describeSplit(release)} until someone starts the release.</p>}
      <ol className="stage-track">
        {release.stages.map((stage) => {
          const status = stageStatus(release, stage);
          return (
            <li key={stage.index} className={`stage stage-${status.className}`} aria-current={status.className === "current" ? "step" : undefined}>
              <span className="stage-marker" aria-hidden="true">
                {status.className === "done" ? "✓" : status.className === "stopped" ? "✕" : stage.index + 1}
              </span>
              <div className="stage-body">
                <p className="stage-title">
                  <strong>
                    Stage {stage.index + 1}: {stage.percent}%
                  </strong>{" "}
                  <span className="stage-status">{status.label}</span>
                </p>
                <p className="muted small">
                  {stage.soakSeconds > 0 ? `soak ${formatDuration(stage.soakSeconds)}` : "no soak"} ·{" "}
                  {stage.progression === "manual" ? "manual approval" : "advances automatically"}
                </p>
                {status.className === "current" && (
                  <>
                    <SplitBar split={release.split} candidate={release.candidate} />
                    <SoakProgress release={release} stage={stage} />
                    {release.consecutiveFailures > 0 && (
                      <p className="small stage-failures">
                        {release.consecutiveFailures} failing check{release.consecutiveFailures === 1 ? "" : "s"} in a row
                        {plan ? `; ${plan.policy.failureThreshold} roll it back` : ""}.
                      </p>
                    )}
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

const CURRENT_LABELS: Partial<Record<ReleaseDetail["state"], string>> = {
  paused: "Current, paused",
  awaiting_approval: "Current, waiting for approval",
};

function stageStatus(release: ReleaseDetail, stage: StageView): { className: string; label: string } {
  if (stage.status === "done") return { className: "done", label: "Done" };
  if (stage.status === "next") return { className: "next", label: "Next" };
  if (isTerminalState(release.state)) return { className: "stopped", label: "Stopped here" };
  return { className: "current", label: CURRENT_LABELS[release.state] ?? "Current" };
}

function describeSplit(release: ReleaseDetail): string {
  return release.split.map((part) => `${part.version} has ${part.percent}%`).join(", ");
}

/**
 * The soak served at the current stage. The server counts soak only when a check watches it, so
 * between answers the clock runs on from the release's last update while it is running.
 */
function SoakProgress({ release, stage }: { release: ReleaseDetail; stage: StageView }) {
  const running = release.state === "running";
  const now = useNow(running);
  const sinceUpdate = running ? Math.max(0, (now - new Date(release.updatedAt).getTime()) / 1000) : 0;
  const served = Math.min(stage.soakSeconds, release.soakServedSeconds + sinceUpdate);
  const left = stage.soakSeconds - served;

  let text: string;
  if (release.state === "awaiting_approval") text = "Soak served: waiting for approval.";
  else if (release.state === "paused") text = `Soak stopped while paused: ${formatDuration(release.soakServedSeconds)} of ${formatDuration(stage.soakSeconds)} served.`;
  else if (left > 0) text = `Soak: ${formatDuration(left)} left of ${formatDuration(stage.soakSeconds)}.`;
  else if (stage.progression === "manual") text = "Soak served: on the next passing check, it waits for approval.";
  else text = "Soak served: moves on at the next passing check.";

  return (
    <div className="soak">
      <p className="small">{text}</p>
      {stage.soakSeconds > 0 && (
        <progress max={stage.soakSeconds} value={served} aria-label={`Soak served at stage ${stage.index + 1}`}>
          {formatDuration(served)}
        </progress>
      )}
    </div>
  );
}

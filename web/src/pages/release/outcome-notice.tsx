import { ENGINE_ACTOR } from "../../../../src/core/events";
import { eventsOf, stageName, stagePercent, type EventView, type ReleaseDetail } from "./release-model";
import { asSentence, describeFailedCheck } from "./slo-words";

type EndEvent = Extract<EventView, { type: "rolled_back" | "failed" | "cancelled" | "promoted" | "paused" }>;

/** How the release ended, or why it is paused, in one sentence at the top of the page. */
export function OutcomeNotice({ release }: { release: ReleaseDetail }) {
  const event = latestEvent(release, release.state === "succeeded" ? "promoted" : release.state);
  switch (release.state) {
    case "rolled_back":
    case "failed":
      return (
        <div className="notice notice-error outcome" role="alert">
          <h2>{release.state === "failed" ? "Why it failed" : "Why it was rolled back"}</h2>
          <p>{endSentence(release, release.state === "failed" ? "Failed" : "Rolled back", event)}</p>
        </div>
      );
    case "succeeded":
      return (
        <p className="notice notice-ok outcome">
          Promoted: {release.candidate} serves all traffic{event ? ` (${event.reason})` : ""}.
        </p>
      );
    case "cancelled":
      return (
        <p className="notice outcome outcome-neutral">
          {endSentence(release, "Cancelled", event)} {release.stable} serves all traffic.
        </p>
      );
    case "paused":
      return <p className="notice notice-warn outcome">{endSentence(release, "Paused", event)}</p>;
    default:
      return null;
  }
}

/**
 * "Rolled back at stage 2 (25%): the error rate of v2 was 4.1% against 0.2% for v1, over the 5%
 * limit." Built from the failing SLOs of the check that decided it, else from the recorded reason.
 */
function endSentence(release: ReleaseDetail, verb: string, event: EndEvent | undefined): string {
  const stageIndex = event?.type === "rolled_back" && event.check ? event.check.stageIndex : release.stage?.index;
  const where = stageIndex === undefined ? "" : ` at ${stageName(stageIndex, stagePercent(release, stageIndex))}`;
  const failure = event?.type === "rolled_back" && event.check ? describeFailedCheck(event.check.results, release) : "";
  if (failure) return `${verb}${where}: ${failure}.`;

  const reason = event?.reason ?? release.reason;
  const byPerson = event && event.actor !== ENGINE_ACTOR && !reason?.includes(`by ${event.actor}`) ? ` by ${event.actor}` : "";
  return reason ? asSentence(`${verb}${where}${byPerson}: ${reason}`) : `${verb}${where}${byPerson}.`;
}

function latestEvent(release: ReleaseDetail, type: string): EndEvent | undefined {
  return eventsOf(release).findLast((event): event is EndEvent => event.type === type);
}

import { EVENT_LABELS } from "../../api/live-events";
import { formatPercent } from "../../components/split-bar";
import { formatDateTime } from "../../format";
import type { Split } from "../../../../src/core/split";
import { LazyDetails } from "./lazy-details";
import { eventsOf, stageName, stagePercent, type EventView, type ReleaseDetail } from "./release-model";
import { asSentence, describeFailedCheck } from "./slo-words";

/** Runs of at least this many checks in a row fold into one line, so the other events stand out. */
const FOLDED_RUN = 3;

type CheckEvent = Extract<EventView, { type: "check_completed" }>;
type TimelineItem = { event: EventView } | { checks: CheckEvent[] };

/** Every event of the release, oldest first, each said in words. */
export function Timeline({ release }: { release: ReleaseDetail }) {
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ol className="card timeline">
        {foldChecks(eventsOf(release)).map((item) =>
          "event" in item ? (
            <EventItem key={item.event.id} event={item.event} release={release} />
          ) : (
            <CheckRun key={item.checks[0]!.id} checks={item.checks} release={release} />
          ),
        )}
      </ol>
    </section>
  );
}

function foldChecks(events: EventView[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let run: CheckEvent[] = [];
  const flush = () => {
    if (run.length >= FOLDED_RUN) items.push({ checks: run });
    else items.push(...run.map((event) => ({ event })));
    run = [];
  };
  for (const event of events) {
    if (event.type === "check_completed") {
      run.push(event);
      continue;
    }
    flush();
    items.push({ event });
  }
  flush();
  return items;
}

function EventItem({ event, release }: { event: EventView; release: ReleaseDetail }) {
  return (
    <li className={`timeline-event timeline-${event.type}`}>
      <time dateTime={event.at} className="small muted">
        {formatDateTime(event.at)}
      </time>
      <div>
        <strong>{EVENT_LABELS[event.type]}</strong>
        <span className="muted small"> by {event.actor}</span>
        <EventDetails event={event} release={release} />
      </div>
    </li>
  );
}

const RUN_VERDICTS = [
  ["pass", "passed"],
  ["fail", "failed"],
  ["insufficient_data", "without a verdict"],
] as const;

/** A run of checks as one line that opens onto each of them. */
function CheckRun({ checks, release }: { checks: CheckEvent[]; release: ReleaseDetail }) {
  const first = checks[0]!;
  const counts = RUN_VERDICTS.flatMap(([verdict, words]) => {
    const count = checks.filter((event) => event.check.verdict === verdict).length;
    return count > 0 ? [`${count} ${words}`] : [];
  });
  return (
    <li className="timeline-event timeline-checks">
      <time dateTime={first.at} className="small muted">
        {formatDateTime(first.at)}
      </time>
      <LazyDetails
        summary={
          <>
            <strong>{checks.length} checks</strong> <span className="small">{counts.join(", ")}</span>
          </>
        }
      >
        {() => (
          <ol className="timeline">
            {checks.map((event) => (
              <EventItem key={event.id} event={event} release={release} />
            ))}
          </ol>
        )}
      </LazyDetails>
    </li>
  );
}

function EventDetails({ event, release }: { event: EventView; release: ReleaseDetail }) {
  const text = describeEvent(event, release);
  return text ? <p className="small timeline-details">{text}</p> : null;
}

function splitWords(split: Split): string {
  return split.map((part) => `${part.version} ${formatPercent(part.percent)}`).join(", ");
}

/** What an event means, in words; empty when its label and actor say it all. */
function describeEvent(event: EventView, release: ReleaseDetail): string {
  const stage = (index: number) => stageName(index, stagePercent(release, index));
  switch (event.type) {
    case "release_created":
      return `${event.stable} → ${event.candidate} with plan ${event.plan}.`;
    case "start_requested":
    case "resumed":
      return "";
    case "preflight_completed": {
      const failures = event.results.filter((result) => result.status !== result.expectStatus);
      if (failures.length === 0) return `Passed: ${event.results.length} probe${event.results.length === 1 ? "" : "s"} of the candidate answered as expected.`;
      return `Failed: ${failures.map((probe) => `${probe.url} ${probe.status === null ? `did not answer (${probe.error})` : `answered ${probe.status}`}, expected ${probe.expectStatus}`).join("; ")}.`;
    }
    case "release_started":
      return event.adoptedSplit ? `Took over the live split ${splitWords(event.adoptedSplit)}.` : "";
    case "stage_started":
      return `${stage(event.stageIndex)} of ${release.stages.length}: ${splitWords(event.split)}.`;
    case "check_completed": {
      const { check } = event;
      if (check.verdict === "pass") return `Passed at ${stage(check.stageIndex)}: every SLO held.`;
      if (check.verdict === "fail") {
        return `Failed at ${stage(check.stageIndex)}: ${describeFailedCheck(check.results, release)}.`;
      }
      return `No verdict at ${stage(check.stageIndex)}${check.note ? `: ${check.note}` : ""}.`;
    }
    case "metrics_unavailable":
      return `${asSentence(event.error)} The plan says ${event.action === "hold" ? "hold the split and try again" : "roll back"}.`;
    case "awaiting_approval":
      return `${stage(event.stageIndex)} served its soak; a person must approve the next stage.`;
    case "approved":
      return `${stage(event.stageIndex)} approved.`;
    case "drift_detected":
      return `Expected ${splitWords(event.expected)} but found ${splitWords(event.actual)}.`;
    case "split_applied":
      return `${splitWords(event.split)} on the platform.`;
    case "paused":
    case "promoted":
    case "rolled_back":
    case "cancelled":
    case "failed":
      return asSentence(event.reason);
  }
}

import type { Release } from "../core/release.js";
import type { ReleaseEventDraft } from "../core/events.js";
import type { Notice } from "./notice.js";

/** The release and event a notice was made from; none for a test notification. */
export interface NoticeSubject {
  release: Release;
  event: ReleaseEventDraft;
}

export interface WebhookRelease {
  id: string;
  name: string;
  plan: string;
  stable: string;
  candidate: string;
  state: Release["state"];
  /** The current stage, from 0; -1 before the release starts. */
  stageIndex: number;
  stageCount: number;
}

/** The generic webhook's body. Times are epoch milliseconds, like everywhere in Glidepath. */
export interface WebhookPayload {
  kind: Notice["kind"];
  release: WebhookRelease | null;
  event: ReleaseEventDraft | null;
  notice: Notice;
  sentAt: number;
}

export function webhookPayload(notice: Notice, subject: NoticeSubject | null, sentAt: number): WebhookPayload {
  const release = subject?.release;
  return {
    kind: notice.kind,
    release: release
      ? {
          id: release.id,
          name: release.name,
          plan: release.plan.name,
          stable: release.stable,
          candidate: release.candidate,
          state: release.state,
          stageIndex: release.stageIndex,
          stageCount: release.plan.stages.length,
        }
      : null,
    event: subject?.event ?? null,
    notice,
    sentAt,
  };
}

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { useTeam } from "../../session/session";
import { ChannelCard } from "./channel-card";
import { ChannelForm } from "./channel-form";
import { Loading, settingsKeys } from "./settings-shared";

/** Where the team hears about its releases: Slack, Discord, Google Chat or any webhook. */
export function ChannelsTab() {
  const team = useTeam();
  const isAdmin = team.can("admin");
  const [editing, setEditing] = useState<string>();
  /** The channel whose edit just ended: its Edit button takes the focus back. */
  const [lastEdited, setLastEdited] = useState<string>();
  const stopEditing = () => {
    setLastEdited(editing);
    setEditing(undefined);
  };
  const channels = useQuery({
    queryKey: settingsKeys.channels(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/channels", { params: { path: { team: team.slug } } })),
  });
  const list = channels.data?.channels;
  return (
    <section aria-labelledby="channels-title" className="settings-tab">
      <h2 id="channels-title">Notification channels</h2>
      <p className="muted">
        Each channel is told what releases do (started, stage progressed, awaiting approval, rolled back, promoted…). A failing
        channel is retried and never holds up a release.
        {!isAdmin && " Only admins add or change channels."}
      </p>
      {channels.isPending && <Loading what="channels" />}
      <ErrorNotice error={channels.error} />
      {list?.length === 0 && (
        <p className="muted">
          No channels yet.{" "}
          {isAdmin ? "Add one below, then send it a test." : "Ask an admin of the team to add one to hear about releases."}
        </p>
      )}
      <div className="channel-list">
        {list?.map((channel) =>
          channel.id === editing ? (
            <ChannelForm key={channel.id} channel={channel} onDone={stopEditing} />
          ) : (
            <ChannelCard
              key={channel.id}
              channel={channel}
              onEdit={isAdmin ? () => setEditing(channel.id) : undefined}
              focusEdit={channel.id === lastEdited}
            />
          ),
        )}
      </div>
      {isAdmin && !editing && <ChannelForm key="new" />}
    </section>
  );
}

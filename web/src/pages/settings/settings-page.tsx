import { NavLink, Navigate, Route, Routes } from "react-router";
import { PageHeader } from "../../components/layout";
import { useTeam } from "../../session/session";
import { ChannelsTab } from "./channels-tab";
import { MembersTab } from "./members-tab";
import { NewTeam } from "./new-team";
import "./settings.css";
import { TeamTab } from "./team-tab";
import { TokensTab } from "./tokens-tab";

/** The team's settings, one tab per concern; the API tokens tab is shown to admins only. */
export function SettingsPage() {
  const team = useTeam();
  const tabs = [
    { path: "members", label: "Members" },
    ...(team.can("admin") ? [{ path: "tokens", label: "API tokens" }] : []),
    { path: "channels", label: "Notification channels" },
    { path: "team", label: "Team" },
  ];
  return (
    <>
      <PageHeader title="Settings" actions={<NewTeam />}>
        <p className="muted">
          Team <strong>{team.name}</strong> (<code>{team.slug}</code>) · your role: {team.role}
        </p>
      </PageHeader>
      <nav aria-label="Settings">
        <ul className="settings-tabs">
          {tabs.map((tab) => (
            <li key={tab.path}>
              <NavLink to={`/t/${team.slug}/settings/${tab.path}`}>{tab.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="members" replace />} />
        <Route path="members" element={<MembersTab />} />
        <Route path="tokens" element={<TokensTab />} />
        <Route path="channels" element={<ChannelsTab />} />
        <Route path="team" element={<TeamTab />} />
        <Route path="*" element={<UnknownTab />} />
      </Routes>
    </>
  );
}

function UnknownTab() {
  return (
    <section aria-labelledby="unknown-tab">
      <h2 id="unknown-tab">No such settings tab</h2>
      <p>Pick one of the tabs above.</p>
    </section>
  );
}

import { createBrowserRouter, Navigate, RouterProvider, useParams } from "react-router";
import { Layout } from "./components/layout";
import { AuditPage } from "./pages/audit/audit-page";
import { PlanEditorPage } from "./pages/plans/plan-editor-page";
import { PlansPage } from "./pages/plans/plans-page";
import { ReleaseLinkPage } from "./pages/release/release-link-page";
import { ReleasePage } from "./pages/release/release-page";
import { HistoryPage } from "./pages/releases/history-page";
import { NewReleasePage } from "./pages/releases/new-release-page";
import { SettingsPage } from "./pages/settings/settings-page";
import { SignInPage } from "./pages/sign-in/sign-in-page";
import { ConnectTargetPage } from "./pages/targets/connect-target-page";
import { TargetsPage } from "./pages/targets/targets-page";
import { TeamScope, useSession } from "./session/session";

const router = createBrowserRouter([
  { path: "/", element: <Home /> },
  { path: "/sign-in", element: <SignInPage /> },
  { path: "/releases/:release", element: <ReleaseLinkPage /> },
  {
    path: "/t/:team",
    element: (
      <TeamScope>
        <Layout />
      </TeamScope>
    ),
    children: [
      { index: true, element: <Navigate to="releases" replace /> },
      { path: "releases", element: <HistoryPage /> },
      { path: "releases/new", element: <NewReleasePage /> },
      { path: "releases/:release", element: <ReleasePage /> },
      { path: "targets", element: <TargetsPage /> },
      { path: "targets/new", element: <ConnectTargetPage /> },
      { path: "plans", element: <PlansPage /> },
      { path: "plans/new", element: <PlanEditorPage /> },
      { path: "plans/:plan", element: <PlanEditorPage /> },
      { path: "audit", element: <AuditPage /> },
      { path: "settings/*", element: <SettingsPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
  { path: "*", element: <NotFound /> },
]);

export function App() {
  return <RouterProvider router={router} />;
}

/** The first team's releases, or the sign-in page. */
function Home() {
  const session = useSession();
  if (session.isPending) return <p role="status">Loading…</p>;
  if (!session.data) return <Navigate to="/sign-in" replace />;
  const first = session.data.teams[0];
  if (!first) {
    return (
      <main id="main" className="page">
        <h1>No team yet</h1>
        <p>You are not in any team. Ask an admin of a team to add you.</p>
      </main>
    );
  }
  return <Navigate to={`/t/${first.slug}/releases`} replace />;
}

function NotFound() {
  const { team } = useParams();
  return (
    <main id="main" className="page">
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <a href={team ? `/t/${team}/releases` : "/"}>Go to the releases</a>.
      </p>
    </main>
  );
}

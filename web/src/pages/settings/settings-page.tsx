import { PageHeader } from "../../components/layout";

export function SettingsPage() {
  return <PageHeader title="Settings" />;
}

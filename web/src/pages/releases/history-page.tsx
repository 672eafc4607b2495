import { PageHeader } from "../../components/layout";

export function HistoryPage() {
  return <PageHeader title="Releases" />;
}

import { PageHeader } from "../../components/layout";

export function PlanEditorPage() {
  return <PageHeader title="Plan" />;
}

import { PageHeader } from "../../components/layout";

export function TargetsPage() {
  return <PageHeader title="Targets" />;
}

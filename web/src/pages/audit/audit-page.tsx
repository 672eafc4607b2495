import { PageHeader } from "../../components/layout";

export function AuditPage() {
  return <PageHeader title="Audit log" />;
}

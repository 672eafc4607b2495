import { PageHeader } from "../../components/layout";

export function ConnectTargetPage() {
  return <PageHeader title="Connect a target" />;
}

import { PageHeader } from "../../components/layout";

export function PlansPage() {
  return <PageHeader title="Plans" />;
}

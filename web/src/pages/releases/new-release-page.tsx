import { PageHeader } from "../../components/layout";

export function NewReleasePage() {
  return <PageHeader title="New release" />;
}

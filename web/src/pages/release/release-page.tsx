import { PageHeader } from "../../components/layout";

export function ReleasePage() {
  return <PageHeader title="Release" />;
}

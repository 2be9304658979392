import type { Dashboard } from '@grafana/schema';
import { copilotDashboard } from './copilot.ts';
import { dsqlDashboard } from './dsql.ts';
import { serverDashboard } from './server.ts';

export { INFINITY, type InfinityTarget } from './infinity.ts';
export { NAMINGS, type Naming } from './prometheus.ts';

/** Every generated dashboard and the file under grafana/dashboards/ it is written to. */
export const DASHBOARDS: readonly { file: string; dashboard: Dashboard }[] = [
  { file: 'copilot.json', dashboard: copilotDashboard },
  { file: 'temporal-server.json', dashboard: serverDashboard },
  { file: 'dsql-persistence.json', dashboard: dsqlDashboard },
];

/** The committed text of a dashboard: stable key order as built, two-space indent, final newline. */
export function render(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

import type { DashboardLink } from '@grafana/schema';

export type DashboardName = 'copilot' | 'server' | 'dsql';
const NAMES: readonly DashboardName[] = ['copilot', 'server', 'dsql'];

/** The three dashboards' uids, fixed so links and provisioning can name them. */
export const UID: Readonly<Record<DashboardName, string>> = {
  copilot: 'temporal-sre-copilot',
  server: 'temporal-server-health',
  dsql: 'dsql-persistence',
};

const TITLE: Readonly<Record<DashboardName, string>> = {
  copilot: 'Temporal SRE Copilot',
  server: 'Temporal Server Health',
  dsql: 'DSQL Persistence',
};

export const DASHBOARD_TITLE = TITLE;

/** Links from one dashboard to the other two, keeping the time range. */
export function linksFrom(self: DashboardName): DashboardLink[] {
  return NAMES.filter((name) => name !== self).map(
    (name): DashboardLink => ({
      title: TITLE[name],
      type: 'link',
      url: `/d/${UID[name]}`,
      icon: 'dashboard',
      tooltip: '',
      tags: [],
      asDropdown: false,
      targetBlank: false,
      includeVars: false,
      keepTime: true,
    }),
  );
}

/** Grafana's dashboard JSON schema version these files are written for (Grafana 11/12). */
export const SCHEMA_VERSION = 41;

import type { DataSourceRef, FieldConfigSource, Panel, RowPanel, ValueMapping } from '@grafana/schema';
import { MappingType } from '@grafana/schema';
import type {
  DataQuality,
  HealthState,
  IssueSeverity,
  RiskLevel,
  SignalClassification,
} from '../../src/models/index.ts';

/**
 * Panel builders over Grafana's published dashboard types (@grafana/schema). Colours are tables keyed by the API's
 * own enums, so a new state or classification fails to compile until it has a colour.
 */

export interface Shown {
  text: string;
  color: string;
}

export const HEALTH_STATE: Readonly<Record<HealthState, Shown>> = {
  happy: { text: 'Happy', color: 'green' },
  stressed: { text: 'Stressed', color: 'yellow' },
  critical: { text: 'Critical', color: 'red' },
  unknown: { text: 'Unknown (not seeing)', color: 'purple' },
};

export const CLASSIFICATION: Readonly<Record<SignalClassification, Shown>> = {
  normal: { text: 'normal', color: 'green' },
  elevated: { text: 'elevated', color: 'yellow' },
  high: { text: 'high', color: 'orange' },
  critical: { text: 'critical', color: 'red' },
  unclassified: { text: 'unclassified', color: 'text' },
  no_data: { text: 'no data', color: 'purple' },
};

export const DATA_QUALITY: Readonly<Record<DataQuality, Shown>> = {
  complete: { text: 'complete', color: 'green' },
  partial: { text: 'partial', color: 'yellow' },
  blind: { text: 'blind', color: 'red' },
};

export const SEVERITY: Readonly<Record<IssueSeverity, Shown>> = {
  warning: { text: 'warning', color: 'yellow' },
  critical: { text: 'critical', color: 'red' },
};

export const RISK: Readonly<Record<RiskLevel, Shown>> = {
  low: { text: 'low', color: 'green' },
  medium: { text: 'medium', color: 'yellow' },
  high: { text: 'high', color: 'red' },
};

/** `stale` is a boolean column; Grafana maps booleans by their text. */
export const STALENESS: Readonly<Record<'true' | 'false', Shown>> = {
  false: { text: 'fresh', color: 'green' },
  true: { text: 'STALE', color: 'red' },
};

/** One value mapping from a colour table, in the table's order. */
export function valueMapping(table: Readonly<Record<string, Shown>>): ValueMapping {
  const options = Object.fromEntries(
    Object.entries(table).map(([value, shown], index) => [value, { text: shown.text, color: shown.color, index }]),
  );
  return { type: MappingType.ValueToText, options };
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelInput {
  title: string;
  description?: string;
  datasource: DataSourceRef;
  targets: Record<string, unknown>[];
  box: Box;
  fieldConfig?: FieldConfigSource;
  options?: Record<string, unknown>;
  interval?: string;
  maxDataPoints?: number;
}

/** Panel ids are assigned in order by `layout`, so generated JSON is stable. */
export function panel(type: string, input: PanelInput): Panel {
  return {
    type,
    title: input.title,
    ...(input.description === undefined ? {} : { description: input.description }),
    datasource: input.datasource,
    gridPos: input.box,
    targets: input.targets,
    fieldConfig: input.fieldConfig ?? { defaults: {}, overrides: [] },
    options: input.options ?? {},
    ...(input.interval === undefined ? {} : { interval: input.interval }),
    ...(input.maxDataPoints === undefined ? {} : { maxDataPoints: input.maxDataPoints }),
  };
}

export function row(title: string, y: number, input: { collapsed?: boolean; panels?: Panel[] } = {}): RowPanel {
  return {
    type: 'row',
    // Renumbered by `layout`.
    id: 0,
    title,
    collapsed: input.collapsed ?? false,
    gridPos: { x: 0, y, w: 24, h: 1 },
    panels: input.panels ?? [],
  };
}

/** Number the panels (rows and their collapsed children included) 1, 2, 3… in reading order. */
export function layout(panels: (Panel | RowPanel)[]): (Panel | RowPanel)[] {
  let id = 0;
  return panels.map((p) => {
    id += 1;
    if (p.type !== 'row' || !('panels' in p)) return { ...p, id };
    const rowId = id;
    const children = p.panels.map((child) => {
      id += 1;
      return { ...child, id };
    });
    const numbered: RowPanel = { ...p, id: rowId, panels: children };
    return numbered;
  });
}

/** Stat options that show the last value of every field, strings included. */
export function statOptions(input: { colorMode: 'background' | 'value' | 'none'; fields?: string }) {
  return {
    reduceOptions: { values: false, calcs: ['lastNotNull'], fields: input.fields ?? '/.*/' },
    colorMode: input.colorMode,
    graphMode: 'none',
    justifyMode: 'auto',
    orientation: 'horizontal',
    textMode: 'value_and_name',
    wideLayout: true,
  };
}

/** A field override that colours one column's cells from a value mapping. */
export function colouredColumn(field: string, table: Readonly<Record<string, Shown>>) {
  return {
    matcher: { id: 'byName', options: field },
    properties: [
      { id: 'mappings', value: [valueMapping(table)] },
      { id: 'custom.cellOptions', value: { type: 'color-background', mode: 'basic' } },
    ],
  };
}

import { join } from 'node:path';

/** Where the recorded real-cluster run lives (written by judgement.test.ts with RECORD_REAL_CLUSTER=1). */
export const FIXTURE_DIR = join(import.meta.dir, '..', 'fixtures', 'real-cluster');
/** Gzipped OpenMetrics in the dev server's own (tally) naming; `toOtelNaming` derives the OTel exporter's names. */
export const FIXTURE_OPENMETRICS = 'dev-server-run.om.gz';
/** The phases' wall-clock spans during the recording. */
export const FIXTURE_PHASES = 'phases.json';

import type postgres from 'postgres';
import {
  activeIssues,
  type ClusterKeys,
  issuesOfAssessment,
  latestAssessment,
  latestCycle,
  latestKeys,
  recentLogPatterns,
} from '../db/index.ts';
import type { Assessment, LogPattern, StoredCycle, StoredIssue } from '../models/index.ts';
import { isAppError } from '../models/index.ts';

/**
 * The current status of every cluster, held in memory so `/status*` never waits on the store. `refresh` polls
 * `latestKeys` (one indexed statement) and reloads only the clusters whose newest rows changed. When the store fails
 * the cache keeps what it last saw and says so; the next successful poll recovers, no restart needed.
 */

/** How long log patterns stay on the status after their window ended. */
export const LOG_PATTERN_WINDOW_MS = 15 * 60_000;
/** Active issues held per cluster; `/status/issues` serves at most this many. */
export const MAX_CACHED_ISSUES = 100;

export interface ClusterEntry {
  name: string;
  configured: boolean;
  keys: ClusterKeys | null;
  cycle: StoredCycle | null;
  assessment: Assessment | null;
  assessmentIssues: StoredIssue[];
  activeIssues: StoredIssue[];
  logPatterns: LogPattern[];
}

export interface StoreHealth {
  reachable: boolean;
  /** Epoch ms of the last successful poll. */
  lastSuccessMs: number | null;
  /** Code of the last failure while the store is unreachable. */
  lastError: string | null;
  /** Failed polls and failed route reads since start (a Prometheus counter). */
  errors: number;
}

export interface StatusCacheOptions {
  sql: postgres.Sql;
  /** Names from COPILOT_CLUSTERS: served (as unknown) before their first cycle, listed first, in this order. */
  configured: readonly string[];
  now: () => number;
  log: (message: string, error: unknown) => void;
}

function sameKeys(a: ClusterKeys | null, b: ClusterKeys): boolean {
  return (
    a !== null &&
    a.decision_id === b.decision_id &&
    a.assessment_id === b.assessment_id &&
    a.log_window_end === b.log_window_end &&
    a.open_issues === b.open_issues
  );
}

function emptyEntry(name: string, configured: boolean): ClusterEntry {
  return {
    name,
    configured,
    keys: null,
    cycle: null,
    assessment: null,
    assessmentIssues: [],
    activeIssues: [],
    logPatterns: [],
  };
}

export function createStatusCache(options: StatusCacheOptions) {
  const { sql, now } = options;
  const configured = new Set(options.configured);
  let entries = new Map<string, ClusterEntry>(options.configured.map((name) => [name, emptyEntry(name, true)]));
  let loaded = false;
  const health: StoreHealth = { reachable: false, lastSuccessMs: null, lastError: null, errors: 0 };
  let running: Promise<void> | null = null;

  async function load(keys: ClusterKeys): Promise<ClusterEntry> {
    const cluster = keys.cluster;
    const [cycle, assessment, issues, patterns] = await Promise.all([
      latestCycle(sql, { cluster }),
      latestAssessment(sql, { cluster }),
      activeIssues(sql, { cluster, limit: MAX_CACHED_ISSUES }),
      recentLogPatterns(sql, { cluster, sinceMs: now() - LOG_PATTERN_WINDOW_MS }),
    ]);
    const assessmentIssues = assessment
      ? await issuesOfAssessment(sql, { assessmentId: assessment.assessment_key })
      : [];
    return {
      name: cluster,
      configured: configured.has(cluster),
      keys,
      cycle,
      assessment,
      assessmentIssues,
      activeIssues: issues,
      logPatterns: patterns,
    };
  }

  async function poll(): Promise<void> {
    try {
      const all = await latestKeys(sql);
      const next = new Map<string, ClusterEntry>();
      for (const name of options.configured) next.set(name, entries.get(name) ?? emptyEntry(name, true));
      const changed = all.filter((keys) => !sameKeys(entries.get(keys.cluster)?.keys ?? null, keys));
      for (const keys of all) {
        const known = entries.get(keys.cluster);
        if (!known?.keys || !sameKeys(known.keys, keys)) continue;
        // A cluster whose rows did not change keeps its entry object, so what routes memoize per entry (the /status
        // bytes) outlives the poll; only first/last seen, when they moved, need a copy.
        const seenMoved =
          known.keys.first_seen_at !== keys.first_seen_at || known.keys.last_seen_at !== keys.last_seen_at;
        next.set(keys.cluster, seenMoved ? { ...known, keys } : known);
      }
      const fresh = await Promise.all(changed.map(load));
      for (const entry of fresh) next.set(entry.name, entry);
      entries = next;
      loaded = true;
      health.reachable = true;
      health.lastSuccessMs = now();
      health.lastError = null;
    } catch (error) {
      health.reachable = false;
      health.errors += 1;
      health.lastError = isAppError(error) ? error.code : 'STORE_UNAVAILABLE';
      options.log('status poll failed', error);
    }
  }

  return {
    /** Poll once; concurrent callers share one poll. Never throws: a failure is recorded in `health`. */
    refresh(): Promise<void> {
      running ??= poll().finally(() => {
        running = null;
      });
      return running;
    },
    /** Configured clusters first (in their order), then the others by name. */
    clusters(): ClusterEntry[] {
      const list = [...entries.values()];
      const order = options.configured;
      return list.sort((a, b) => {
        const ia = order.indexOf(a.name);
        const ib = order.indexOf(b.name);
        if (ia !== -1 || ib !== -1) return (ia === -1 ? order.length : ia) - (ib === -1 ? order.length : ib);
        return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      });
    },
    get(name: string): ClusterEntry | null {
      return entries.get(name) ?? null;
    },
    /** True once a poll has succeeded: before that, an empty list means "not known yet", not "no clusters". */
    loaded: () => loaded,
    health: (): Readonly<StoreHealth> => health,
    /** A route read the store directly and it failed: count it, and let the next poll decide reachability. */
    recordStoreError(): void {
      health.errors += 1;
    },
  };
}

export type StatusCache = ReturnType<typeof createStatusCache>;

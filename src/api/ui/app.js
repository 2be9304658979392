// The status page's script: reads /clusters, /status, /status/summary and /status/timeline and draws them. It
// decides nothing: every state, staleness flag and sentence comes from the API. DOM is built with createElement and
// textContent only (no innerHTML), because summaries, issues and log samples are text the page must not interpret.

const REFRESH_MS = 30_000;
/** Ten-minute buckets over the API's default range (the 24 h before the server's clock): 144 cells. */
const TIMELINE_STEP_SEC = 600;
const STATES = ['happy', 'stressed', 'critical', 'unknown'];
const STATE_LABEL = { happy: 'Happy', stressed: 'Stressed', critical: 'Critical', unknown: 'Unknown' };
const SVG_NS = 'http://www.w3.org/2000/svg';

let refreshes = 0;
/** When /clusters last answered, epoch ms; null before the first answer. */
let lastAnswerMs = null;

/** An element with a class (or none), attributes and children; strings become text nodes, never markup. */
function el(tag, className, children = [], attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

/** ISO 8601 in, a readable UTC time out; the page shows UTC like the API so a phone abroad does not shift it. */
function utc(iso) {
  if (!iso) return 'never';
  return `${iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '')} UTC`;
}

function num(value) {
  if (value === null || value === undefined) return 'no data';
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en') : String(Number(value.toPrecision(4)));
}

async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

function describeFailure(reply) {
  if (reply.status === 401) return 'the API requires a bearer token, which this page cannot send';
  const error = reply.body?.error;
  return error ? `${reply.status} ${error.code}: ${error.message}` : `HTTP ${reply.status}`;
}

function badge(state) {
  const known = STATES.includes(state) ? state : 'unknown';
  return el('span', `badge state-${known}`, [STATE_LABEL[known]], { 'data-role': 'badge' });
}

/** A firing rule's level: a state's badge for critical and stressed, its own for not_happy (never shown as Stressed). */
function levelBadge(level) {
  if (level !== 'not_happy') return badge(level);
  return el('span', 'badge level-not_happy', ['Not happy'], { 'data-role': 'level' });
}

function staleText(status) {
  switch (status.stale_reason) {
    case 'store_unavailable':
      return `Stale: the state store is unreachable. This is the last status the copilot knew (decided ${utc(status.as_of)}).`;
    case 'no_recent_cycle':
      return `Stale: no observation since ${utc(status.as_of)} (a newer one was due by ${utc(status.fresh_until)}). Last decided state: ${STATE_LABEL[status.decided_state] ?? 'none'}; shown as Unknown until the copilot looks again.`;
    case 'no_cycle':
      return 'Stale: no observation cycle has been stored for this cluster yet.';
    default:
      return null;
  }
}

function blindText(status) {
  if (status.health_state !== 'unknown' && status.data_quality !== 'blind') return null;
  if (status.stale_reason === 'no_cycle')
    return 'The copilot is blind: it has not observed this cluster yet. Unknown is not Happy.';
  if (status.stale) return 'The copilot is blind: it has not looked recently, so it does not vouch for any state.';
  return 'The copilot is blind: its signal queries returned no data (data quality: blind), so it cannot tell whether the cluster makes forward progress.';
}

function section(title, body) {
  return el('section', 'part', [el('h3', '', [title]), ...body]);
}

function firingPart(status) {
  if (status.firing.length === 0) return section('Firing rules', [el('p', 'muted', ['No rule is firing.'])]);
  const heads = ['Rule', 'Signal', 'Value', 'Threshold', 'Level'].map((h) => el('th', '', [h]));
  const head = el('tr', '', heads);
  const rows = status.firing.map((f) =>
    el('tr', f.suppressed ? 'suppressed' : '', [
      // data-label heads each cell where a phone stacks the table (app.css).
      el('td', 'mono', [f.rule_id, f.suppressed ? ' (suppressed: system busy)' : ''], { 'data-label': 'Rule' }),
      el('td', 'mono', [f.signal], { 'data-label': 'Signal' }),
      el('td', 'num', [num(f.value)], { 'data-label': 'Value' }),
      el('td', 'num', [`${f.comparison === 'above' ? '>' : '<'} ${num(f.threshold)}`], { 'data-label': 'Threshold' }),
      el('td', '', [levelBadge(f.level)], { 'data-label': 'Level' }),
    ]),
  );
  const table = el('table', 'firing', [el('thead', '', [head]), el('tbody', '', rows)]);
  return section('Firing rules', [el('div', 'scroll', [table])]);
}

function escalationPart(status) {
  const e = status.nearest_escalation;
  if (!e) return section('Nearest escalation', [el('p', 'muted', ['None: no rule is close to raising the state.'])]);
  const headroom = `${Math.round(e.headroom_ratio * 100)}% headroom`;
  const text = `${e.rule_id} would make it ${STATE_LABEL[e.level]}: ${e.signal} is ${num(e.value)}, threshold ${e.comparison === 'above' ? '>' : '<'} ${num(e.threshold)} (${headroom}).`;
  return section('Nearest escalation', [el('p', 'escalation', [text])]);
}

function issuesPart(status) {
  const a = status.assessment;
  if (!a || a.issues.length === 0) return section('Issues', [el('p', 'muted', ['No issue raised.'])]);
  const note = a.matches_current_state
    ? []
    : [el('p', 'muted', [`Raised ${utc(a.at)}, while the state was ${STATE_LABEL[a.health_state]}.`])];
  const items = a.issues.map((i) =>
    el('li', `issue severity-${i.severity}`, [
      el('strong', '', [`${i.severity}: ${i.title}`]),
      i.description ? el('p', '', [i.description]) : '',
      i.likely_cause ? el('p', 'muted', [`Likely cause: ${i.likely_cause}`]) : '',
    ]),
  );
  return section('Issues', [...note, el('ul', 'issues', items)]);
}

function actionsPart(status) {
  if (status.recommended_actions.length === 0)
    return section('Actions', [el('p', 'muted', ['No action recommended.'])]);
  const items = status.recommended_actions.map((a) =>
    el('li', 'action', [
      el('strong', '', [a.description]),
      el('span', 'muted', [
        ` ${a.action_type} ${a.target_service} · risk ${a.risk_level} · confidence ${Math.round(a.confidence * 100)}%`,
      ]),
    ]),
  );
  return section('Actions', [el('ul', 'actions', items)]);
}

/**
 * One cell per bucket; a bucket without a stored cycle stays the background colour: no data is not Happy. Cells are
 * laid out from the first epoch-aligned bucket at the step the API used (`step_sec`), not from the unaligned start.
 */
function timelinePart(reply) {
  if (reply.status !== 200) return section('Last 24 hours', [el('p', 'error', [describeFailure(reply)])]);
  const t = reply.body;
  const stepMs = (t.step_sec ?? TIMELINE_STEP_SEC) * 1000;
  const originMs = Math.floor(Date.parse(t.start) / stepMs) * stepMs;
  const cells = Math.max(1, Math.ceil((Date.parse(t.end) + 1 - originMs) / stepMs));
  const counts = { happy: 0, stressed: 0, critical: 0, unknown: 0 };
  const rects = [svg('rect', { class: 'nodata', x: 0, y: 0, width: cells, height: 10 })];
  for (const point of t.timeline) {
    const x = Math.round((Date.parse(point.at) - originMs) / stepMs);
    if (x < 0 || x >= cells) continue;
    counts[point.health_state] += 1;
    const title = svg('title', {}, [`${utc(point.at)}: ${STATE_LABEL[point.health_state]} (${point.cycles} cycles)`]);
    rects.push(
      svg('rect', { class: `cell state-${point.health_state}`, x, y: 0, width: 1, height: 10, 'data-at': point.at }, [
        title,
      ]),
    );
  }
  const label = `${utc(t.start)} to ${utc(t.end)}: ${STATES.map((s) => `${counts[s]} ${s}`).join(', ')} (${stepMs / 60_000}-minute buckets)`;
  const strip = svg('svg', {
    class: 'strip',
    viewBox: `0 0 ${cells} 10`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': label,
  });
  strip.append(...rects);
  const keys = [...STATES, 'nodata'].map((s) =>
    el('span', `key state-${s}`, [s === 'nodata' ? 'no data' : STATE_LABEL[s]]),
  );
  const legend = el('p', 'legend', keys);
  const ends = el('p', 'ends muted', [el('span', '', [utc(t.start)]), el('span', '', [utc(t.end)])]);
  return section('Last 24 hours', [strip, ends, legend]);
}

function clusterCard(name, replies) {
  const { status: statusReply, summary: summaryReply, timeline } = replies;
  if (!statusReply.body || statusReply.body.error) return failedCard(name, describeFailure(statusReply));
  const status = statusReply.body;
  const head = el('div', 'card-head', [el('h2', '', [name]), badge(status.health_state)]);
  const quality = status.data_quality ? `data ${status.data_quality}` : 'no data';
  const meta = el('p', 'muted', [
    `Decided ${utc(status.as_of)} · ${quality}${status.scale_band ? ` · ${status.scale_band}` : ''}`,
  ]);
  const notices = [];
  const stale = staleText(status);
  if (stale) notices.push(el('p', 'notice stale', [stale], { 'data-role': 'stale' }));
  const blind = blindText(status);
  if (blind) notices.push(el('p', 'notice blind', [blind], { 'data-role': 'blind' }));
  const summaryText = summaryReply.body?.summary ?? status.assessment?.summary ?? describeFailure(summaryReply);
  const summary = el('p', 'summary', [summaryText], { 'data-role': 'summary' });
  const parts = [firingPart(status), escalationPart(status), issuesPart(status), actionsPart(status)];
  const children = [head, meta, ...notices, summary, ...parts, timelinePart(timeline)];
  return el('section', `cluster state-${status.health_state}`, children, {
    'data-cluster': name,
    'data-state': status.health_state,
  });
}

function failedCard(name, text) {
  return el('section', 'cluster', [el('h2', '', [name]), el('p', 'error', [text])], { 'data-cluster': name });
}

/** Never rejects: a cluster whose requests or drawing fail gets an error card, and the other cards still show. */
async function loadCluster(name) {
  const q = `cluster=${encodeURIComponent(name)}`;
  try {
    const [status, summary, timeline] = await Promise.all([
      getJson(`status?${q}`),
      getJson(`status/summary?${q}`),
      getJson(`status/timeline?${q}&step=${TIMELINE_STEP_SEC}`),
    ]);
    return clusterCard(name, { status, summary, timeline });
  } catch (error) {
    return failedCard(name, `This cluster's status cannot be read: ${String(error?.message ?? error)}`);
  }
}

function setBanner(text) {
  const banner = document.getElementById('banner');
  banner.textContent = text ?? '';
  banner.hidden = text === null;
}

async function refresh() {
  let reply;
  try {
    reply = await getJson('clusters');
  } catch (error) {
    reply = { status: 0, body: { error: { code: 'UNREACHABLE', message: String(error?.message ?? error) } } };
  }
  // A 503 whose body lists the clusters is the API answering that the store is down: show the last known cards and
  // the store banner. Only an answer without a cluster list means the API itself cannot be read.
  const list = reply.body?.clusters;
  if (!Array.isArray(list)) {
    const since =
      lastAnswerMs === null ? '' : ` What is shown is from ${utc(new Date(lastAnswerMs).toISOString())} and is stale.`;
    setBanner(`The copilot API cannot be read (${describeFailure(reply)}).${since}`);
    for (const card of document.querySelectorAll('.cluster')) card.classList.add('outdated');
    return;
  }
  lastAnswerMs = Date.now();
  const cards = await Promise.all(list.map((c) => loadCluster(c.name)));
  const main = document.getElementById('clusters');
  if (cards.length === 0) {
    const empty = 'The copilot is blind: no cluster is configured or has been observed yet. Unknown is not Happy.';
    main.replaceChildren(el('p', 'notice blind', [empty], { 'data-role': 'blind' }));
  } else {
    main.replaceChildren(...cards);
  }
  setBanner(
    reply.body.store_reachable === false
      ? 'The state store is unreachable: every status below is the last one known, and stale.'
      : null,
  );
}

/** One refresh that never rejects: whatever fails is shown in the banner, and the page keeps polling. */
async function refreshOnce() {
  try {
    await refresh();
  } catch (error) {
    setBanner(`The status page could not refresh (${String(error?.message ?? error)}); it will try again.`);
  } finally {
    refreshes += 1;
    const updated = document.getElementById('updated');
    updated.textContent = `Checked ${utc(new Date().toISOString())}; refreshes every ${REFRESH_MS / 1000} s.`;
    document.body.dataset.refreshes = String(refreshes);
  }
}

async function loop() {
  try {
    // A hidden tab does not poll; it catches up as soon as it is shown again.
    if (document.visibilityState !== 'hidden') await refreshOnce();
  } finally {
    setTimeout(loop, REFRESH_MS);
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refreshOnce();
});
void loop();

/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4), built from one
 * database snapshot per scrape. Rendering is a pure function so its format is unit-tested.
 * Values are counts of rows (gauges: retention may prune old rows). Served without a token,
 * like /healthz, for scrapers on the internal network; it exposes counts only.
 */
import type { RelayStatus } from '../outbound/relay-gate.js';
import { readMetrics, type MetricsSnapshot } from '../store/metrics.js';
import type { ApiDeps } from './api/route.js';
import { sendJson, type Route } from './server.js';

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels?: Record<string, string>; value: number }[];
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function line(name: string, labels: Record<string, string> | undefined, value: number): string {
  const l = labels && Object.keys(labels).length > 0 ? `{${Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
  return `${name}${l} ${Number.isFinite(value) ? String(value) : 'NaN'}`;
}

export function renderPrometheus(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(line(f.name, s.labels, s.value));
  }
  return `${out.join('\n')}\n`;
}

/** Whether this process's outbox worker can reach its relay; nothing when no worker runs here. */
function relayFamilies(relay: RelayStatus | null, now: Date): Family[] {
  if (relay === null) return [];
  const downFor = relay.downSince === null ? 0 : Math.max(0, (now.getTime() - relay.downSince.getTime()) / 1000);
  return [
    { name: 'casemail_delivery_relay_up', type: 'gauge', help: 'Whether the outbound relay takes mail (0 while delivery is failing).', samples: [{ value: relay.up ? 1 : 0 }] },
    { name: 'casemail_delivery_relay_down_seconds', type: 'gauge', help: 'Seconds since delivery started failing (0 while the relay takes mail).', samples: [{ value: downFor }] },
  ];
}

export function metricFamilies(m: MetricsSnapshot, relay: RelayStatus | null = null, now: Date = new Date()): Family[] {
  const failed = m.outboxByStatus.find((s) => s.status === 'failed')?.count ?? 0;
  const pending = m.outboxByStatus.find((s) => s.status === 'pending')?.count ?? 0;
  return [
    {
      name: 'casemail_inbound_messages', type: 'gauge', help: 'Inbound messages in the log, by decision and status.',
      samples: m.inboundByDecision.map((r) => ({ labels: { decision: r.decision, status: r.status }, value: r.count })),
    },
    {
      name: 'casemail_outbox_messages', type: 'gauge', help: 'Outbox rows by status.',
      samples: m.outboxByStatus.map((r) => ({ labels: { status: r.status }, value: r.count })),
    },
    { name: 'casemail_outbox_pending', type: 'gauge', help: 'Outbox rows waiting to be sent (depth).', samples: [{ value: pending }] },
    {
      name: 'casemail_outbox_oldest_pending_age_seconds', type: 'gauge', help: 'Age of the oldest pending outbox row (0 when none).',
      samples: [{ value: m.outboxOldestPendingSeconds ?? 0 }],
    },
    { name: 'casemail_outbox_retrying', type: 'gauge', help: 'Pending outbox rows that failed at least once.', samples: [{ value: m.outboxRetrying }] },
    { name: 'casemail_delivery_failures', type: 'gauge', help: 'Outbox rows whose delivery failed permanently.', samples: [{ value: failed }] },
    {
      name: 'casemail_bouncing_addresses', type: 'gauge', help: 'Addresses we no longer mail, by why: a hard bounce, or repeated soft bounces.',
      samples: ['hard', 'soft'].map((kind) => ({ labels: { kind }, value: m.stoppedAddresses.find((s) => s.kind === kind)?.count ?? 0 })),
    },
    {
      name: 'casemail_bounces_recent', type: 'gauge', help: 'Bounces of the last 7 days not cleared since, by severity (hard, soft, delay).',
      samples: ['hard', 'soft', 'delay'].map((severity) => ({ labels: { severity }, value: m.recentBounces.find((s) => s.severity === severity)?.count ?? 0 })),
    },
    {
      name: 'casemail_mailbox_cursor_age_seconds', type: 'gauge', help: 'Seconds since each mailbox cursor last moved (mailbox lag).',
      samples: m.mailboxes.map((c) => ({ labels: { mailbox: c.mailbox }, value: c.secondsSinceUpdate })),
    },
    {
      name: 'casemail_mailbox_last_uid', type: 'gauge', help: 'Last IMAP UID processed per mailbox.',
      samples: m.mailboxes.map((c) => ({ labels: { mailbox: c.mailbox }, value: c.lastUid })),
    },
    ...relayFamilies(relay, now),
  ];
}

export function metricsRoute(deps: ApiDeps): Route {
  return {
    method: 'GET',
    path: '/metrics',
    handler: async (_req, res) => {
      let text: string;
      try {
        text = renderPrometheus(metricFamilies(await readMetrics(deps.db), deps.relayStatus?.() ?? null));
      } catch (err) {
        deps.log.error({ msg: 'metrics query failed', err });
        sendJson(res, 503, { error: { code: 'DB_UNAVAILABLE', message: 'metrics unavailable' } });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
  };
}

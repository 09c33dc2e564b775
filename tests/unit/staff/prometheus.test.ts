import { describe, expect, it } from 'vitest';
import { metricFamilies, renderPrometheus } from '../../../src/http/metrics.js';

describe('Prometheus rendering', () => {
  it('writes HELP and TYPE before samples and escapes label values', () => {
    const text = renderPrometheus(metricFamilies({
      inboundByDecision: [{ decision: 'say "hi"\\\n', status: 'processed', count: 3 }],
      outboxByStatus: [{ status: 'pending', count: 2 }, { status: 'failed', count: 1 }],
      outboxOldestPendingSeconds: null,
      outboxRetrying: 1,
      mailboxes: [],
      stoppedAddresses: [{ kind: 'soft', count: 4 }],
      recentBounces: [{ severity: 'soft', count: 7 }],
    }));
    expect(text).toContain('# TYPE casemail_inbound_messages gauge\ncasemail_inbound_messages{decision="say \\"hi\\"\\\\\\n",status="processed"} 3\n');
    expect(text).toContain('casemail_outbox_pending 2\n');
    expect(text).toContain('casemail_delivery_failures 1\n');
    expect(text).toContain('casemail_outbox_oldest_pending_age_seconds 0\n');
    expect(text).toContain('casemail_bouncing_addresses{kind="hard"} 0\ncasemail_bouncing_addresses{kind="soft"} 4\n');
    expect(text).toContain('casemail_bounces_recent{severity="soft"} 7\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, TRANSITIONS } from '../../../src/domain/incidents/status.js';
import { INCIDENT_STATUSES } from '../../../src/domain/incidents/types.js';
import { isAppError } from '../../../src/platform/errors.js';

describe('incident state machine', () => {
  it('has a row for every status, and only known statuses as targets', () => {
    for (const s of INCIDENT_STATUSES) for (const t of TRANSITIONS[s]) expect(INCIDENT_STATUSES).toContain(t);
  });

  it('a closed incident can only be reopened', () => {
    expect(TRANSITIONS.closed).toEqual(['reopened']);
    expect(canTransition('reopened', 'closed')).toBe(true);
  });

  it('a forbidden transition is a clear INVALID_TRANSITION error', () => {
    try {
      assertTransition('INC-000001', 'closed', 'escalated');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'INVALID_TRANSITION')).toBe(true);
      expect((err as Error).message).toBe('INC-000001: cannot go from closed to escalated');
    }
  });

  it('nothing goes back to new', () => {
    for (const s of INCIDENT_STATUSES) expect(canTransition(s, 'new')).toBe(false);
  });
});

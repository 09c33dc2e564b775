/**
 * The screening context used when checking the shared collections: addresses and domains
 * that no collected message can carry, so only genuine evidence decides a verdict.
 */
import type { ScreenContext } from '../../src/mail/screen.js';

export const CORPUS_SCREEN_CONTEXT: ScreenContext = {
  ownAddresses: ['support@casemail.example'],
  messageIdDomain: 'casemail.example',
  secret: 'corpus-report-secret-0123456789',
  returnLocalPart: 'support',
  loopHeader: 'X-Casemail-Loop',
  instanceId: 'corpus-report',
  maxReceived: 25,
};

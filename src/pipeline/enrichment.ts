/**
 * Optional enrichments of a mail's handling (knowledge-base suggestions in a confirmation)
 * run inside the message's transaction without a savepoint of their own: a savepoint costs
 * two round trips on every message, and enrichments practically never fail. When one does,
 * PostgreSQL has aborted the transaction, so the enrichment throws EnrichmentFailed and the
 * pipeline handles the message again from the start with enrichments off: the customer
 * still gets their incident and their confirmation, only without the extra.
 */
export class EnrichmentFailed extends Error {
  constructor(readonly enrichment: string, override readonly cause: unknown) {
    super(`${enrichment} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EnrichmentFailed';
  }
}

/**
 * IMAP cursors in PostgreSQL: where reading of each configured mailbox stopped
 * (UIDVALIDITY and last UID), so a restart compares STATUS with it instead of re-reading
 * the whole folder. The cursor only moves forward within one UIDVALIDITY.
 */
import type { Knex } from 'knex';

export interface StoredCursor {
  uidValidity: string;
  lastUid: number;
}

export function createCursorStore(db: Knex): {
  load(mailbox: string): Promise<StoredCursor | null>;
  save(mailbox: string, cursor: StoredCursor): Promise<void>;
} {
  return {
    async load(mailbox) {
      const row = (await db('mailbox_cursors').where({ mailbox }).first('uid_validity', 'last_uid')) as
        | { uid_validity: string; last_uid: number }
        | undefined;
      return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : null;
    },
    async save(mailbox, cursor) {
      // A second reader may have gone further in the same UIDVALIDITY: never move back.
      await db.raw(
        `insert into mailbox_cursors (mailbox, uid_validity, last_uid, updated_at) values (?, ?, ?, now())
         on conflict (mailbox) do update set
           last_uid = case when mailbox_cursors.uid_validity = excluded.uid_validity
                           then greatest(mailbox_cursors.last_uid, excluded.last_uid) else excluded.last_uid end,
           uid_validity = excluded.uid_validity, updated_at = now()`,
        [mailbox, cursor.uidValidity, cursor.lastUid],
      );
    },
  };
}

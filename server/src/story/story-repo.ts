import type { Story, StorySharing } from '@samkons/shared';
import type { Queryable } from '../db/database.js';
import { iso } from '../db/rows.js';

interface Raw {
  what_matters: string;
  good_day: string;
  sharing: StorySharing;
  version: number;
  updated_at: Date;
  updated_by_name: string;
  updated_by_role: string;
}

const map = (r: Raw): Story => ({
  whatMatters: r.what_matters,
  goodDay: r.good_day,
  sharing: r.sharing,
  version: Number(r.version),
  updatedAt: iso(r.updated_at),
  updatedByName: r.updated_by_name,
  updatedByRole: r.updated_by_role,
});

export interface StoryAuthor {
  participantId: string | null;
  name: string;
  role: string;
}

export const storyRepo = {
  async get(q: Queryable, recordId: string, forUpdate = false): Promise<Story | undefined> {
    const r = await q.query<Raw>(
      `SELECT * FROM patient_stories WHERE patient_record_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [recordId],
    );
    return r.rows[0] && map(r.rows[0]);
  },

  /** Writes the next version (1 when there is none). */
  async save(
    q: Queryable,
    recordId: string,
    s: Pick<Story, 'whatMatters' | 'goodDay' | 'sharing'>,
    by: StoryAuthor,
  ): Promise<Story> {
    const r = await q.query<Raw>(
      `INSERT INTO patient_stories (patient_record_id, what_matters, good_day, sharing, version,
         updated_by_participant_id, updated_by_name, updated_by_role)
       VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
       ON CONFLICT (patient_record_id) DO UPDATE SET
         what_matters = EXCLUDED.what_matters, good_day = EXCLUDED.good_day,
         sharing = EXCLUDED.sharing, version = patient_stories.version + 1, updated_at = now(),
         updated_by_participant_id = EXCLUDED.updated_by_participant_id,
         updated_by_name = EXCLUDED.updated_by_name, updated_by_role = EXCLUDED.updated_by_role
       RETURNING *`,
      [recordId, s.whatMatters, s.goodDay, s.sharing, by.participantId, by.name, by.role],
    );
    return map(r.rows[0]!);
  },
};

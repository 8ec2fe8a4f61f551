import type {
  Consultation,
  ConsultationKind,
  ConsultationStatus,
  JoinLocation,
  Participant,
  PatientConsultation,
  Role,
} from '@samkons/shared';
import type { Queryable } from './database.js';
import { iso } from './rows.js';

interface RawConsultation {
  id: string;
  kind: ConsultationKind;
  status: ConsultationStatus;
  title: string | null;
  starts_at: Date;
  ends_at: Date;
  organiser_id: string;
  documenting_organisation: string;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

interface RawParticipant {
  id: string;
  consultation_id: string;
  role: Role;
  name: string;
  organisation: string | null;
  email: string | null;
  mobile: string | null;
  joins_from: JoinLocation;
  travel_distance_km: number;
  birth_date: string | null;
  is_guardian: boolean;
  account_id: string | null;
  strong_identification: boolean;
  delegate: boolean;
}

const participantCols = `id, consultation_id, role, name, organisation, email, mobile, joins_from,
  travel_distance_km, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, is_guardian, account_id,
  identity_hash IS NOT NULL AS strong_identification, delegate`;

const mapParticipant = (r: RawParticipant): Participant => ({
  id: r.id,
  consultationId: r.consultation_id,
  role: r.role,
  name: r.name,
  organisation: r.organisation,
  email: r.email,
  mobile: r.mobile,
  joinsFrom: r.joins_from,
  travelDistanceKm: Number(r.travel_distance_km),
  birthDate: r.birth_date,
  isGuardian: r.is_guardian,
  accountId: r.account_id,
  strongIdentification: r.strong_identification,
  delegate: r.delegate,
});

const mapConsultation = (r: RawConsultation, participants: Participant[]): Consultation => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  title: r.title,
  startsAt: iso(r.starts_at),
  endsAt: iso(r.ends_at),
  organiserId: r.organiser_id,
  documentingOrganisation: r.documenting_organisation,
  cancelReason: r.cancel_reason,
  participants,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export type ConsultationHeader = Omit<Consultation, 'participants'>;

export const consultationsRepo = {
  async insert(q: Queryable, c: ConsultationHeader): Promise<void> {
    await q.query(
      `INSERT INTO consultations (id, kind, status, title, starts_at, ends_at, organiser_id,
         documenting_organisation, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        c.id,
        c.kind,
        c.status,
        c.title,
        c.startsAt,
        c.endsAt,
        c.organiserId,
        c.documentingOrganisation,
        c.createdAt,
      ],
    );
  },

  /** `identityHash`: see participants.identity_hash; null when the invite link suffices. */
  async insertParticipant(
    q: Queryable,
    p: Participant,
    identityHash: string | null = null,
  ): Promise<void> {
    await q.query(
      `INSERT INTO participants (id, consultation_id, role, name, organisation, email, mobile, joins_from,
         travel_distance_km, birth_date, is_guardian, account_id, identity_hash, delegate)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        p.id,
        p.consultationId,
        p.role,
        p.name,
        p.organisation,
        p.email,
        p.mobile,
        p.joinsFrom,
        p.travelDistanceKm,
        p.birthDate,
        p.isGuardian,
        p.accountId,
        identityHash,
        p.delegate ?? false,
      ],
    );
  },

  async identityHash(q: Queryable, participantId: string): Promise<string | null> {
    const r = await q.query<{ identity_hash: string | null }>(
      'SELECT identity_hash FROM participants WHERE id = $1',
      [participantId],
    );
    return r.rows[0]?.identity_hash ?? null;
  },

  async removeParticipant(
    q: Queryable,
    consultationId: string,
    participantId: string,
  ): Promise<boolean> {
    const r = await q.query(
      `UPDATE participants SET removed_at = now()
        WHERE id = $1 AND consultation_id = $2 AND removed_at IS NULL`,
      [participantId, consultationId],
    );
    return r.rowCount > 0;
  },

  async participants(q: Queryable, consultationIds: string[]): Promise<Participant[]> {
    if (consultationIds.length === 0) return [];
    const r = await q.query<RawParticipant>(
      `SELECT ${participantCols} FROM participants
        WHERE consultation_id = ANY($1::uuid[]) AND removed_at IS NULL ORDER BY created_at, id`,
      [consultationIds],
    );
    return r.rows.map(mapParticipant);
  },

  async participant(q: Queryable, participantId: string): Promise<Participant | undefined> {
    const r = await q.query<RawParticipant>(
      `SELECT ${participantCols} FROM participants WHERE id = $1 AND removed_at IS NULL`,
      [participantId],
    );
    return r.rows[0] && mapParticipant(r.rows[0]);
  },

  /** `forUpdate` locks the consultation row: concurrent changes to one consultation serialise. */
  async byId(q: Queryable, id: string, forUpdate = false): Promise<Consultation | undefined> {
    const r = await q.query<RawConsultation>(
      `SELECT * FROM consultations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return mapConsultation(row, await this.participants(q, [id]));
  },

  /** Consultations in [from, to) where the account is organiser or a participant. */
  async listForAccount(
    q: Queryable,
    accountId: string,
    from: string,
    to: string,
  ): Promise<Consultation[]> {
    const r = await q.query<RawConsultation>(
      `SELECT c.* FROM consultations c
        WHERE c.starts_at < $3 AND c.ends_at > $2
          AND (c.organiser_id = $1 OR EXISTS (
            SELECT 1 FROM participants p
             WHERE p.consultation_id = c.id AND p.account_id = $1 AND p.removed_at IS NULL))
        ORDER BY c.starts_at, c.id`,
      [accountId, from, to],
    );
    const participants = await this.participants(
      q,
      r.rows.map((c) => c.id),
    );
    return r.rows.map((c) =>
      mapConsultation(
        c,
        participants.filter((p) => p.consultationId === c.id),
      ),
    );
  },

  /** Live consultations overlapping [start, end) that any of the accounts takes part in. */
  async overlapping(
    q: Queryable,
    accountIds: string[],
    start: string,
    end: string,
    excludeId: string | null,
  ): Promise<{ consultationId: string; accountId: string }[]> {
    if (accountIds.length === 0) return [];
    const r = await q.query<{ consultation_id: string; account_id: string }>(
      `SELECT c.id AS consultation_id, p.account_id
         FROM consultations c JOIN participants p ON p.consultation_id = c.id
        WHERE p.account_id = ANY($1::uuid[]) AND p.removed_at IS NULL
          AND c.status IN ('booked', 'in_progress')
          AND c.starts_at < $3 AND c.ends_at > $2
          AND ($4::uuid IS NULL OR c.id <> $4::uuid)`,
      [accountIds, start, end, excludeId],
    );
    return r.rows.map((x) => ({ consultationId: x.consultation_id, accountId: x.account_id }));
  },

  /**
   * Moves the status only from `from` to `to`, atomically: repeats and races are harmless.
   * True when this call made the change.
   */
  async transitionStatus(
    q: Queryable,
    id: string,
    from: ConsultationStatus,
    to: ConsultationStatus,
  ): Promise<boolean> {
    const r = await q.query(
      `UPDATE consultations SET status = $3, updated_at = now() WHERE id = $1 AND status = $2
       RETURNING id`,
      [id, from, to],
    );
    return r.rows.length > 0;
  },

  async setDelegate(
    q: Queryable,
    consultationId: string,
    participantId: string,
    delegate: boolean,
  ): Promise<void> {
    await q.query(
      `UPDATE participants SET delegate = $3
        WHERE id = $1 AND consultation_id = $2 AND removed_at IS NULL`,
      [participantId, consultationId, delegate],
    );
  },

  /** The live session emptied at `at` (null: someone is in it again). */
  async setVacated(q: Queryable, id: string, at: string | null): Promise<void> {
    await q.query('UPDATE consultations SET vacated_at = $2 WHERE id = $1', [id, at]);
  },

  /**
   * In-progress consultations nobody has been in since before `emptySince`: the live
   * session emptied then, or (a node that died without a word) nobody was recorded as
   * leaving and the scheduled end lies before `endedBefore`.
   */
  async idleInProgress(
    q: Queryable,
    emptySince: string,
    endedBefore: string,
  ): Promise<{ id: string; vacatedAt: string | null; endsAt: string }[]> {
    const r = await q.query<{ id: string; vacated_at: unknown; ends_at: unknown }>(
      `SELECT id, vacated_at, ends_at FROM consultations
        WHERE status = 'in_progress'
          AND ((vacated_at IS NOT NULL AND vacated_at <= $1)
            OR (vacated_at IS NULL AND ends_at <= $2))
        ORDER BY id`,
      [emptySince, endedBefore],
    );
    return r.rows.map((x) => ({
      id: x.id,
      vacatedAt: x.vacated_at === null ? null : iso(x.vacated_at),
      endsAt: iso(x.ends_at),
    }));
  },

  async update(
    q: Queryable,
    id: string,
    patch: Partial<
      Pick<
        Consultation,
        | 'kind'
        | 'title'
        | 'documentingOrganisation'
        | 'startsAt'
        | 'endsAt'
        | 'status'
        | 'cancelReason'
      >
    >,
  ): Promise<void> {
    const map: Record<string, string> = {
      kind: 'kind',
      title: 'title',
      documentingOrganisation: 'documenting_organisation',
      startsAt: 'starts_at',
      endsAt: 'ends_at',
      status: 'status',
      cancelReason: 'cancel_reason',
    };
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || !map[key]) continue;
      params.push(value);
      sets.push(`${map[key]} = $${params.length}`);
    }
    await q.query(
      `UPDATE consultations SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`,
      params,
    );
  },

  /**
   * Where the person with this keyed identity hash is booked as patient or next of kin:
   * not cancelled, not removed, ending at or after `endsFrom`; by start time. For the
   * patient entry (participants_identity_hash, migration 7).
   */
  async bookedUnderIdentity(
    q: Queryable,
    identityHash: string,
    endsFrom: Date,
  ): Promise<IdentityBooking[]> {
    const r = await q.query<{
      participant_id: string;
      role: 'patient' | 'next_of_kin';
      name: string;
      consultation_id: string;
      title: string | null;
      kind: ConsultationKind;
      status: ConsultationStatus;
      starts_at: Date;
      ends_at: Date;
      documenting_organisation: string;
      organiser_name: string;
    }>(
      `SELECT p.id AS participant_id, p.role, p.name, c.id AS consultation_id, c.title, c.kind,
              c.status, c.starts_at, c.ends_at, c.documenting_organisation,
              a.name AS organiser_name
         FROM participants p
         JOIN consultations c ON c.id = p.consultation_id
         JOIN accounts a ON a.id = c.organiser_id
        WHERE p.identity_hash = $1 AND p.removed_at IS NULL
          AND p.role IN ('patient', 'next_of_kin')
          AND c.status <> 'cancelled' AND c.ends_at >= $2
        ORDER BY c.starts_at, c.id, p.id`,
      [identityHash, endsFrom],
    );
    return r.rows.map((x) => ({
      participantId: x.participant_id,
      role: x.role,
      name: x.name,
      consultationId: x.consultation_id,
      title: x.title,
      kind: x.kind,
      status: x.status,
      startsAt: iso(x.starts_at),
      endsAt: iso(x.ends_at),
      documentingOrganisation: x.documenting_organisation,
      organiserName: x.organiser_name,
    }));
  },
};

/** A booking found by identity hash (see `bookedUnderIdentity`); the service adds the window. */
export type IdentityBooking = Omit<PatientConsultation, 'joinableFrom'>;

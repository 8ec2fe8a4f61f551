import {
  isStaffRole,
  type Consultation,
  type Participant,
  type SaveStoryRequest,
  type Story,
  type StorySharing,
  type StoryView,
} from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable, Transaction } from '../db/database.js';
import { appendAudit, type AuditActor } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import { DomainError, notFound } from '../http/domain-error.js';
import { membership, speaksForPatient } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { storyRepo, type StoryAuthor } from './story-repo.js';

type SaveIn = z.output<typeof SaveStoryRequest>;

/** How a reader stands to the patient, for the writer's sharing choice. */
export type StoryReader = 'writer' | 'health_personnel' | 'participant';

/** Who reads under each sharing choice (the writers always do). */
export function storyVisible(sharing: StorySharing, reader: StoryReader): boolean {
  switch (reader) {
    case 'writer':
      return true;
    case 'health_personnel':
      return sharing !== 'private';
    case 'participant':
      return sharing === 'all_participants';
  }
}

export function readerOf(me: Participant, c: Consultation, now: Date): StoryReader {
  if (speaksForPatient(me, c, now)) return 'writer';
  return isStaffRole(me.role) ? 'health_personnel' : 'participant';
}

/**
 * "Min historie / min gode dag", kept per patient record so it follows the patient from
 * meeting to meeting. Reached through a consultation (pre-join, consultation page, summary)
 * or the patient entry; every read (also one that shows nothing) and every edit is audited
 * on the consultation it came through.
 */
export class StoryService {
  readonly #db: Database;
  readonly #records: PatientRecords;

  constructor(db: Database, records: PatientRecords) {
    this.#db = db;
    this.#records = records;
  }

  async get(p: Principal, consultationId: string, meta: RequestMeta): Promise<StoryView> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'story.read', { meta });
      const me = membership(p, consultation)!;
      const record = await this.#requireRecord(tx, consultation);
      return this.readAudited(tx, record, readerOf(me, consultation, new Date()), {
        actor: actorOf(p),
        consultationId,
        meta,
      });
    });
  }

  async save(
    p: Principal,
    consultationId: string,
    req: SaveIn,
    meta: RequestMeta,
  ): Promise<StoryView> {
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation } = await loadAuthorised(tx, p, consultationId, 'story.write', {
        forUpdate: true,
        meta,
      });
      if (consultation.status === 'cancelled') {
        throw new DomainError('invalid_state', 'The consultation is cancelled');
      }
      const me = membership(p, consultation)!;
      const record = await this.#requireRecord(tx, consultation);
      return this.saveAudited(tx, record, req, {
        author: { participantId: me.id, name: me.name, role: me.role },
        actor: actorOf(p),
        consultationId,
        meta,
      });
    });
  }

  /** Reads for a reader whose standing the caller has established; audits the read. */
  async readAudited(
    tx: Transaction,
    record: string,
    reader: StoryReader,
    via: { actor: AuditActor; consultationId: string | null; meta: RequestMeta },
  ): Promise<StoryView> {
    const story = await storyRepo.get(tx, record);
    const shown = story !== undefined && storyVisible(story.sharing, reader);
    await appendAudit(tx, {
      actor: via.actor,
      action: 'story.read',
      consultationId: via.consultationId,
      clientAddress: via.meta.clientAddress,
      detail: { patientRecordId: record, shown },
    });
    if (story && shown) return { state: 'shown', story, canEdit: reader === 'writer' };
    return reader === 'writer'
      ? { state: 'not_written', canEdit: true }
      : { state: 'not_shared', canEdit: false };
  }

  /** Saves for a writer the caller has established; audits the edit. */
  async saveAudited(
    tx: Transaction,
    record: string,
    req: SaveIn,
    via: {
      author: StoryAuthor;
      actor: AuditActor;
      consultationId: string | null;
      meta: RequestMeta;
    },
  ): Promise<StoryView> {
    const current = await storyRepo.get(tx, record, true);
    if ((current?.version ?? undefined) !== req.expectedVersion) {
      throw new DomainError(
        'conflict',
        current
          ? `The story was changed meanwhile (now version ${current.version}); reload and edit again`
          : 'There is no earlier version to edit; save without expectedVersion',
      );
    }
    const saved: Story = await storyRepo.save(tx, record, req, via.author);
    await appendAudit(tx, {
      actor: via.actor,
      action: 'story.update',
      consultationId: via.consultationId,
      clientAddress: via.meta.clientAddress,
      detail: { patientRecordId: record, version: saved.version, sharing: saved.sharing },
    });
    return { state: 'shown', story: saved, canEdit: true };
  }

  async #requireRecord(q: Queryable, c: Consultation): Promise<string> {
    const record = await this.#records.ofConsultation(q, c);
    if (!record) throw notFound('Patient');
    return record;
  }
}

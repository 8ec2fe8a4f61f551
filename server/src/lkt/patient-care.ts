import {
  consentHolders,
  type Consultation,
  type Participant,
  type PatientCareOverview,
  type PatientCarePatient,
  type PlanItem,
  type PlanProgressRequest,
  type SaveStoryRequest,
  type StoryView,
} from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAuditMany, type AuditActor } from '../audit/audit-log.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { bearerToken, PatientClaims, type TokenSigner } from '../auth/tokens.js';
import { notFound } from '../http/domain-error.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { bookingsOfIdentity } from '../patient-record/records-repo.js';
import { publicMember, type CareTeamService } from '../care-team/care-team-service.js';
import type { StoryService } from '../story/story-service.js';
import type { PlanService } from '../plan/plan-service.js';

/** What the person may see of one patient record, and through which participant. */
interface Standing {
  recordId: string;
  relation: 'self' | 'guardian';
  /** The person's participant in the record's latest consultation (author, audit actor). */
  participant: Participant;
  consultations: Consultation[];
}

/**
 * The patient entry's LKT side (/pasient after the ID-porten login): the person's own care
 * team, plan and story, and those of children under 16 they are booked as guardian for.
 * The patient token carries only the keyed hash of the number; standing is decided from
 * the bookings under that hash, now (a child who turned 16 decides alone). Reads are
 * audited on the record's latest consultation, with the person as actor.
 */
export class PatientCare {
  readonly #db: Database;
  readonly #signer: TokenSigner;
  readonly #records: PatientRecords;
  readonly #careTeam: CareTeamService;
  readonly #story: StoryService;
  readonly #plan: PlanService;

  constructor(deps: {
    db: Database;
    signer: TokenSigner;
    records: PatientRecords;
    careTeam: CareTeamService;
    story: StoryService;
    plan: PlanService;
  }) {
    this.#db = deps.db;
    this.#signer = deps.signer;
    this.#records = deps.records;
    this.#careTeam = deps.careTeam;
    this.#story = deps.story;
    this.#plan = deps.plan;
  }

  async overview(
    authorization: string | undefined,
    meta: RequestMeta,
  ): Promise<PatientCareOverview> {
    const claims = this.#verify(authorization);
    return this.#db.transaction(async (tx) => {
      const standings = await this.#standings(tx, claims.sub);
      const patients: PatientCarePatient[] = [];
      for (const s of standings) {
        const actor = actorFor(s.participant, claims.asr);
        const via = s.consultations.at(-1)!;
        const members = await this.#careTeam.members(tx, s.recordId);
        const plan = await this.#plan.forRecords(tx, [s.recordId]);
        await appendAuditMany(tx, [
          {
            actor,
            action: 'careTeam.read',
            consultationId: via.id,
            clientAddress: meta.clientAddress,
            detail: { patientRecordId: s.recordId, via: 'patient_entry' },
          },
          {
            actor,
            action: 'plan.read',
            consultationId: via.id,
            clientAddress: meta.clientAddress,
            detail: { patientRecordId: s.recordId, via: 'patient_entry', items: plan.length },
          },
        ]);
        const story = await this.#story.readAudited(tx, s.recordId, 'writer', {
          actor,
          consultationId: via.id,
          meta,
        });
        const now = Date.now();
        const next = s.consultations.find(
          (c) => c.status === 'booked' && Date.parse(c.endsAt) > now,
        );
        const patient = [...s.consultations]
          .reverse()
          .flatMap((c) => c.participants)
          .find((p) => p.role === 'patient');
        patients.push({
          patientRecordId: s.recordId,
          patientName: patient?.name ?? s.participant.name,
          relation: s.relation,
          careTeam: members.map(publicMember),
          plan: plan.map(({ patientRecordId: _r, ownerAccountId: _a, ...x }) => x),
          ownItemIds: plan.filter((x) => x.owner.kind === 'patient').map((x) => x.id),
          story,
          nextConsultation: next
            ? {
                consultationId: next.id,
                title: next.title,
                kind: next.kind,
                startsAt: next.startsAt,
              }
            : null,
        });
      }
      return { patients };
    });
  }

  async saveStory(
    authorization: string | undefined,
    recordId: string,
    req: z.output<typeof SaveStoryRequest>,
    meta: RequestMeta,
  ): Promise<StoryView> {
    const claims = this.#verify(authorization);
    return this.#db.transaction(async (tx) => {
      const s = (await this.#standings(tx, claims.sub)).find((x) => x.recordId === recordId);
      if (!s) throw notFound('Patient');
      const upcoming =
        s.consultations.find((c) => c.status === 'booked') ?? s.consultations.at(-1)!;
      return this.#story.saveAudited(tx, recordId, req, {
        author: {
          participantId: s.participant.id,
          name: s.participant.name,
          role: s.participant.role,
        },
        actor: actorFor(s.participant, claims.asr),
        consultationId: upcoming.id,
        meta,
      });
    });
  }

  async progress(
    authorization: string | undefined,
    itemId: string,
    req: z.output<typeof PlanProgressRequest>,
    meta: RequestMeta,
  ): Promise<PlanItem> {
    const claims = this.#verify(authorization);
    const standings = await this.#db.transaction((tx) => this.#standings(tx, claims.sub));
    // The participant speaking is the one of the record the item belongs to; the plan
    // service checks the item is in one of these records and owned by the patient.
    const byRecord = new Map(standings.map((s) => [s.recordId, s.participant]));
    return this.#plan.progressAsPatient(itemId, [...byRecord.keys()], req, meta, (recordId) => {
      const p = byRecord.get(recordId)!;
      return { actor: actorFor(p, claims.asr), name: p.name, role: p.role };
    });
  }

  #verify(authorization: string | undefined): PatientClaims {
    return this.#signer.verify('patient', bearerToken(authorization), PatientClaims);
  }

  /** The records the person speaks for now, each with its (not cancelled) consultations. */
  async #standings(q: Queryable, identityHash: string): Promise<Standing[]> {
    const now = new Date();
    const byRecord = new Map<string, Standing>();
    for (const b of await bookingsOfIdentity(q, identityHash)) {
      const c = await consultationsRepo.byId(q, b.consultationId);
      const me = c?.participants.find((p) => p.id === b.participantId);
      if (!c || !me) continue;
      const relation =
        b.role === 'patient'
          ? 'self'
          : consentHolders(c, now).some((h) => h.id === me.id)
            ? 'guardian'
            : undefined;
      if (!relation) continue;
      const recordId = await this.#records.ofConsultation(q, c);
      if (!recordId) continue;
      const s = byRecord.get(recordId);
      if (s) {
        s.consultations.push(c);
        s.participant = me;
      } else {
        byRecord.set(recordId, { recordId, relation, participant: me, consultations: [c] });
      }
    }
    return [...byRecord.values()];
  }
}

const actorFor = (p: Participant, assuranceLevel: PatientClaims['asr']): AuditActor => ({
  type: 'participant',
  id: p.id,
  name: p.name,
  role: p.role,
  assuranceLevel,
});

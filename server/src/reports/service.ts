import { randomUUID } from 'node:crypto';
import {
  SURVEY_QUESTIONS,
  TravelInputError,
  avoidedTrip,
  surveyAudienceForRole,
  type ConsultationReport,
  type ConsultationTravelPlans,
  type ReportQuery,
  type ReportResponse,
  type SurveyAnswerInput,
  type SurveyStatus,
  type TravelFactors,
  type TravelPlan,
  type TravelPlaces,
} from '@samkons/shared';
import type { Database } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { appendAudit, type AuditRecord } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import { DomainError, forbidden, notFound } from '../http/domain-error.js';
import { decide, membership, type Action, type PolicyContext } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import { aggregate, buildFacts, toCsv } from './aggregate.js';
import { reportsRepo } from './repo.js';

const DAY = 86400_000;
/** Consultation states in which the experience survey takes answers. */
const SURVEY_OPEN = new Set(['in_progress', 'completed']);

export interface RequestMeta {
  clientAddress: string | null;
}

/**
 * Evaluation reports: session facts, travel avoided, experience survey. Authorisation goes
 * through the domain policy (`report.read`, `survey.answer`, `consultation.update`).
 *
 * The live session feeds `recordAttendance` and `recordSessionTimes`; until it does, start
 * and end come from the consultation's status changes (a trigger, see migrations.ts) and
 * every participant counts as present for the whole session.
 */
export class ReportsService {
  readonly #db: Database;
  readonly factors: TravelFactors;

  constructor(db: Database, factors: TravelFactors) {
    this.#db = db;
    this.factors = factors;
  }

  async #require(principal: Principal, action: Action, ctx: PolicyContext = {}): Promise<void> {
    const reportingGrant =
      principal.kind === 'staff' &&
      (await reportsRepo.hasReportingGrant(this.#db, principal.accountId));
    const d = decide(principal, action, { ...ctx, reportingGrant });
    if (!d.allowed) throw forbidden(d.reason);
  }

  async summary(principal: Principal, query: ReportQuery): Promise<ReportResponse> {
    await this.#require(principal, 'report.read');
    // A day of margin on each side; the exact Oslo-date filter happens in `aggregate`.
    const from = new Date(Date.parse(query.from) - DAY).toISOString();
    const to = new Date(Date.parse(query.to) + 2 * DAY).toISOString();
    const raw = await reportsRepo.completedFacts(this.#db, { from, to });
    return aggregate(
      raw.map((r) => buildFacts(r, this.factors)),
      query,
      this.factors,
    );
  }

  async csv(principal: Principal, query: ReportQuery): Promise<string> {
    return toCsv(await this.summary(principal, query));
  }

  async consultation(
    principal: Principal,
    consultationId: string,
    meta: RequestMeta,
  ): Promise<ConsultationReport> {
    await this.#require(principal, 'report.read');
    const [raw] = await reportsRepo.completedFacts(this.#db, { consultationId });
    if (!raw) throw notFound('Consultation');
    const f = buildFacts(raw, this.factors);
    await this.#audit({
      actor: actorOf(principal),
      action: 'report.consultation.read',
      consultationId,
      clientAddress: meta.clientAddress,
    });
    const started = raw.startedAt !== null || raw.status === 'completed';
    return {
      consultationId: f.consultationId,
      kind: f.kind,
      status: f.status,
      startedAt: started ? f.startedAt : null,
      endedAt: raw.status === 'completed' ? f.endedAt : null,
      durationMinutes: raw.status === 'completed' ? f.durationMinutes : null,
      attendanceSource: f.attendanceSource,
      municipality: f.municipality,
      participants: f.participants.map((p) => ({
        participantId: p.participantId,
        role: p.role,
        attended: p.attended,
        attendedMinutes: p.attendedMinutes,
        travelPlan: p.travelPlan,
        travelPlanSource: p.travelPlanSource,
        roundTripKm: p.trip.roundTripKm,
        hours: p.trip.hours,
        kgCo2: p.trip.kgCo2,
        costNok: p.trip.costNok,
        explanation: p.trip.explanation,
        surveyAnswered: p.surveyAnswered,
      })),
    };
  }

  /** Enter the trip a participant would have made (organising staff or reporting staff). */
  async setTravelPlan(
    principal: Principal,
    consultationId: string,
    participantId: string,
    plan: TravelPlan,
    meta: RequestMeta,
  ): Promise<void> {
    const c = await this.#requireTravelAccess(principal, consultationId);
    if (!c.participants.some((p) => p.id === participantId)) throw notFound('Participant');
    try {
      avoidedTrip(plan, this.factors);
    } catch (err) {
      if (err instanceof TravelInputError) throw new DomainError('bad_request', err.message);
      throw err;
    }
    await this.#db.transaction(async (tx) => {
      await reportsRepo.setTravelPlan(tx, consultationId, participantId, plan);
      await appendAudit(tx, {
        actor: actorOf(principal),
        action: 'report.travel.update',
        consultationId,
        clientAddress: meta.clientAddress,
        detail: { participantId },
      });
    });
  }

  /** The saved travel plans of a consultation, for whoever may enter them (as the PUT). */
  async travelPlans(
    principal: Principal,
    consultationId: string,
    meta: RequestMeta,
  ): Promise<ConsultationTravelPlans> {
    await this.#requireTravelAccess(principal, consultationId);
    const plans = await reportsRepo.travelPlans(this.#db, consultationId);
    await this.#audit({
      actor: actorOf(principal),
      action: 'report.travel.read',
      consultationId,
      clientAddress: meta.clientAddress,
    });
    return { consultationId, plans };
  }

  /** One row in its own transaction: the chain's head update and insert must not interleave. */
  #audit(rec: AuditRecord): Promise<number> {
    return this.#db.transaction((tx) => appendAudit(tx, rec));
  }

  /**
   * Who may enter or read a consultation's travel plans: staff with a reporting grant, else
   * whoever may update the consultation. 404 for an unknown consultation.
   */
  async #requireTravelAccess(principal: Principal, consultationId: string) {
    const c = await consultationsRepo.byId(this.#db, consultationId);
    if (!c) throw notFound('Consultation');
    const reporting =
      principal.kind === 'staff' &&
      (await reportsRepo.hasReportingGrant(this.#db, principal.accountId));
    if (!reporting) await this.#require(principal, 'consultation.update', { consultation: c });
    return c;
  }

  async surveyStatus(principal: Principal, consultationId: string): Promise<SurveyStatus> {
    const { c, me } = await this.#surveyContext(principal, consultationId);
    const audience = surveyAudienceForRole(me.role);
    return {
      consultationId,
      participantId: me.id,
      audience,
      questions: [...SURVEY_QUESTIONS[audience]],
      answered: await reportsRepo.hasAnswered(this.#db, consultationId, me.id),
      open: SURVEY_OPEN.has(c.status),
    };
  }

  /** One answer per participant per consultation: a second one is a 409. */
  async answerSurvey(
    principal: Principal,
    consultationId: string,
    answer: SurveyAnswerInput,
    meta: RequestMeta,
  ): Promise<void> {
    const { c, me } = await this.#surveyContext(principal, consultationId);
    if (!SURVEY_OPEN.has(c.status)) {
      throw new DomainError(
        'invalid_state',
        `The survey is not open for a ${c.status} consultation`,
      );
    }
    const expected = surveyAudienceForRole(me.role);
    if (answer.audience !== expected) {
      throw new DomainError('bad_request', `This participant answers the ${expected} survey`, [
        { path: 'body/audience', message: `must be ${expected}` },
      ]);
    }
    await this.#db.transaction(async (tx) => {
      const inserted = await reportsRepo.insertSurvey(tx, {
        id: randomUUID(),
        consultationId,
        participantId: me.id,
        role: me.role,
        answer,
      });
      if (!inserted) throw new DomainError('conflict', 'The survey is already answered');
      await appendAudit(tx, {
        actor: actorOf(principal),
        action: 'survey.answer',
        consultationId,
        clientAddress: meta.clientAddress,
      });
    });
  }

  async #surveyContext(principal: Principal, consultationId: string) {
    const c = await consultationsRepo.byId(this.#db, consultationId);
    if (!c) throw notFound('Consultation');
    await this.#require(principal, 'survey.answer', { consultation: c });
    const me = membership(principal, c);
    if (!me) throw forbidden('not a participant of this consultation');
    return { c, me };
  }

  places(): TravelPlaces {
    const f = this.factors;
    return {
      defaultDestination: f.defaultDestination,
      destinations: f.destinations,
      places: f.places.map((p) => ({
        id: p.id,
        name: p.name,
        municipality: p.municipality,
        roadKm: p.roadKm,
      })),
      placesSource: f.placesSource,
    };
  }

  /** For the live session: one presence interval of a participant (leftAt null = still in). */
  async recordAttendance(
    consultationId: string,
    participantId: string,
    joinedAt: Date,
    leftAt: Date | null,
  ): Promise<void> {
    if (leftAt && leftAt < joinedAt) throw new DomainError('bad_request', 'left before joining');
    await reportsRepo.recordAttendance(
      this.#db,
      consultationId,
      participantId,
      joinedAt.toISOString(),
      leftAt ? leftAt.toISOString() : null,
    );
  }

  /** For the live session: exact start and/or end, replacing the status-change times. */
  async recordSessionTimes(
    consultationId: string,
    times: { startedAt?: Date; endedAt?: Date },
  ): Promise<void> {
    await reportsRepo.recordSessionTimes(this.#db, consultationId, {
      ...(times.startedAt ? { startedAt: times.startedAt.toISOString() } : {}),
      ...(times.endedAt ? { endedAt: times.endedAt.toISOString() } : {}),
    });
  }

  async grantReporting(accountId: string): Promise<void> {
    await reportsRepo.grantReporting(this.#db, accountId);
  }

  /** Grants reporting to existing staff accounts by username; unknown names are skipped. */
  async grantReportingByUsername(usernames: readonly string[]): Promise<string[]> {
    const granted: string[] = [];
    for (const username of usernames) {
      const account = await accountsRepo.byUsername(this.#db, username);
      if (!account) continue;
      await reportsRepo.grantReporting(this.#db, account.id);
      granted.push(username);
    }
    return granted;
  }
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreateConsultationRequest, Consultation } from '@samkons/shared';
import type { z } from 'zod';
import type { Database, Transaction } from '../db/database.js';
import type { DomainEventBus } from '../consent/events.js';
import type { RequestMeta } from '../auth/auth-service.js';
import type { IdentityHasher } from '../auth/identity-hash.js';
import type { TokenSigner } from '../auth/tokens.js';
import type { Principal } from '../policy/principal.js';
import type { PatientPortal } from '../auth/patient-portal.js';
import { AgendaService } from '../agenda/agenda-service.js';
import { registerAgendaRoutes } from '../agenda/routes.js';
import { PatientRecords } from '../patient-record/patient-records.js';
import { CareTeamService } from '../care-team/care-team-service.js';
import { registerCareTeamRoutes } from '../care-team/routes.js';
import { StoryService } from '../story/story-service.js';
import { registerStoryRoutes } from '../story/routes.js';
import { PlanService } from '../plan/plan-service.js';
import { registerPlanRoutes } from '../plan/routes.js';
import { FhirService } from '../fhir/fhir-service.js';
import { registerFhirRoutes } from '../fhir/routes.js';
import { SummaryService } from '../summary/summary-service.js';
import { registerSummaryRoutes } from '../summary/routes.js';
import { PatientCare } from './patient-care.js';
import { registerPatientCareRoutes } from './patient-routes.js';

/**
 * The LKT collaboration framework around a consultation (issue 11): the agenda, the
 * patient's story ("min gode dag"), the care team and the agreed plan, all kept per
 * patient record across consultations. Built once with the domain services.
 */
export interface LktServices {
  agenda: AgendaService;
  records: PatientRecords;
  careTeam: CareTeamService;
  story: StoryService;
  plan: PlanService;
  fhir: FhirService;
  summary: SummaryService;
  /** The patient entry's side (patient token), when the patient eID is configured. */
  patientCare: PatientCare | undefined;
  /** Inside the booking's transaction: the agenda and the patient record of a new consultation. */
  atBooking(
    tx: Transaction,
    c: Consultation,
    req: Pick<z.output<typeof CreateConsultationRequest>, 'agenda' | 'continuesFrom'>,
    principal: Principal,
    meta: RequestMeta,
  ): Promise<void>;
}

export function createLktServices(
  db: Database,
  events: DomainEventBus,
  opts: {
    identityHasher?: IdentityHasher | undefined;
    /** Verifies the patient entry's tokens; absent: no patient entry (no patient eID). */
    patientTokens?: TokenSigner | undefined;
  } = {},
): LktServices {
  const agenda = new AgendaService(db, events);
  const records = new PatientRecords();
  const careTeam = new CareTeamService(db, records, opts.identityHasher);
  const story = new StoryService(db, records);
  const plan = new PlanService(db, records, events);
  return {
    agenda,
    records,
    careTeam,
    story,
    plan,
    fhir: new FhirService(db, records, opts.identityHasher),
    summary: new SummaryService(db, records, story, plan),
    patientCare: opts.patientTokens
      ? new PatientCare({ db, signer: opts.patientTokens, records, careTeam, story, plan })
      : undefined,
    async atBooking(tx, c, req, principal, meta) {
      await agenda.atBooking(tx, c, req.agenda);
      await records.atBooking(tx, c, req.continuesFrom, principal, meta);
    },
  };
}

/** Registers every LKT route; `principal` authenticates the bearer like the booking routes. */
export function lktRoutes(
  services: LktServices,
  principal: (req: FastifyRequest) => Promise<Principal>,
  patientPortal?: Pick<PatientPortal, 'ownPrincipal'> | undefined,
) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    registerAgendaRoutes(app, services.agenda, principal);
    registerCareTeamRoutes(app, services.careTeam, principal);
    registerStoryRoutes(app, services.story, principal);
    registerPlanRoutes(app, services.plan, principal);
    registerPatientCareRoutes(app, services.patientCare);
    registerFhirRoutes(app, services.fhir, principal);
    registerSummaryRoutes(app, services.summary, principal, patientPortal);
  };
}

import { tariffHints, type ConsultationSummary } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { accountsRepo } from '../db/accounts-repo.js';
import { appendAudit } from '../audit/audit-log.js';
import { actorOf } from '../audit/actor.js';
import type { RequestMeta } from '../auth/auth-service.js';
import { auditedTransaction, loadAuthorised } from '../booking/access.js';
import { DomainError } from '../http/domain-error.js';
import { decide, membership } from '../policy/policy.js';
import type { Principal } from '../policy/principal.js';
import type { PatientRecords } from '../patient-record/patient-records.js';
import { recordsRepo } from '../patient-record/records-repo.js';
import { partAttendance } from '../session/agenda/part-journal.js';
import { readerOf, type StoryService } from '../story/story-service.js';
import type { PlanService } from '../plan/plan-service.js';

/**
 * The printable summary after a session, for each participant as they may see it. Who took
 * part comes from the live attendance (report_attendance) and, per part, from lkt-live's
 * part journal; story and plan follow their own rules (and are audited as reads of them).
 */
export class SummaryService {
  readonly #db: Database;
  readonly #records: PatientRecords;
  readonly #story: StoryService;
  readonly #plan: PlanService;

  constructor(db: Database, records: PatientRecords, story: StoryService, plan: PlanService) {
    this.#db = db;
    this.#records = records;
    this.#story = story;
    this.#plan = plan;
  }

  async get(p: Principal, consultationId: string, meta: RequestMeta): Promise<ConsultationSummary> {
    const plan = await this.#planFor(p, consultationId, meta);
    return auditedTransaction(this.#db, async (tx) => {
      const { consultation: c } = await loadAuthorised(tx, p, consultationId, 'summary.read', {
        meta,
      });
      const me = membership(p, c)!;
      const record = await this.#records.ofConsultation(tx, c);
      // report_attendance belongs to the reports module (present whenever the server runs).
      const hasAttendance = (
        await tx.query<{ t: string | null }>("SELECT to_regclass('report_attendance')::text AS t")
      ).rows[0]?.t;
      const attendance = hasAttendance
        ? await tx.query<{ participant_id: string }>(
            'SELECT DISTINCT participant_id FROM report_attendance WHERE consultation_id = $1',
            [consultationId],
          )
        : { rows: [] };
      const attended = new Set(attendance.rows.map((r) => r.participant_id));
      const runs = await partAttendance(tx, consultationId);
      const story =
        record && decide(p, 'story.read', { consultation: c }).allowed
          ? await this.#story.readAudited(tx, record, readerOf(me, c, new Date()), {
              actor: actorOf(p),
              consultationId,
              meta,
            })
          : null;
      const next = record
        ? (await recordsRepo.consultations(tx, record)).find(
            (x) =>
              x.status === 'booked' &&
              x.id !== c.id &&
              x.startsAt.getTime() > Date.parse(c.startsAt),
          )
        : undefined;
      const nextC =
        next &&
        (
          await tx.query<{ title: string | null }>(
            'SELECT title FROM consultations WHERE id = $1',
            [next.id],
          )
        ).rows[0];
      const organiser = await accountsRepo.byId(tx, c.organiserId);
      const present = c.participants.filter((x) => attended.size === 0 || attended.has(x.id));
      await appendAudit(tx, {
        actor: actorOf(p),
        action: 'summary.read',
        consultationId,
        clientAddress: meta.clientAddress,
      });
      return {
        consultationId: c.id,
        title: c.title,
        kind: c.kind,
        status: c.status,
        startsAt: c.startsAt,
        endsAt: c.endsAt,
        organiserName: organiser?.name ?? null,
        documentingOrganisation: c.documentingOrganisation,
        you: { participantId: me.id, role: me.role },
        participants: c.participants.map((x) => ({
          participantId: x.id,
          name: x.name,
          role: x.role,
          organisation: x.organisation,
          attended: attended.size === 0 ? null : attended.has(x.id),
          parts: runs.flatMap((r) =>
            r.participants
              .filter((y) => y.participantId === x.id && y.group !== 'held')
              .map((y) => ({ partId: r.partId, title: r.title, group: y.group })),
          ),
        })),
        parts: runs.map((r) => ({
          partId: r.partId,
          title: r.title,
          audience: r.audience,
          startedAt: r.startedAt,
          endedAt: r.endedAt,
        })),
        story,
        plan: plan.items,
        planWithheld: plan.withheld,
        nextMeeting: next
          ? { startsAt: next.startsAt.toISOString(), title: nextC?.title ?? null }
          : null,
        tariffHints: me.role === 'gp' ? tariffHints(present) : [],
        surveyPath: `/survey/${c.id}`,
      };
    });
  }

  /** The plan as this reader sees it (its own audit row); nothing for the interpreter. */
  async #planFor(p: Principal, consultationId: string, meta: RequestMeta) {
    try {
      return await this.#plan.view(p, consultationId, meta);
    } catch (err) {
      // The interpreter does not keep the plan; anyone outside gets 404 from the summary.
      if (err instanceof DomainError && (err.code === 'forbidden' || err.code === 'not_found')) {
        return { items: [], withheld: 0 };
      }
      throw err;
    }
  }
}

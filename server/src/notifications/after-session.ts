import type { Database } from '../db/database.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import type { ParticipantNotifier } from './notifier.js';

/**
 * After the session: each participant with an e-mail or mobile gets a thank-you with their
 * personal link, which now leads to the survey (the pre-join of an ended meeting offers
 * it, and the survey accepts the link for SURVEY_LINK_DAYS). Called once, by the node that
 * moved the consultation to completed; one transaction, so nobody gets half a round.
 */
export async function sendSurveyMessages(
  db: Database,
  notifier: ParticipantNotifier,
  consultationId: string,
): Promise<number> {
  return db.transaction(async (tx) => {
    const c = await consultationsRepo.byId(tx, consultationId);
    if (!c || c.status !== 'completed') return 0;
    let sent = 0;
    for (const x of c.participants) if (await notifier.notify(tx, c, x, 'survey')) sent++;
    return sent;
  });
}

import type { NewPlanItem } from '@samkons/shared';
import { parseDateInput } from '../../i18n/format';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The new plan item an add form describes (the consultation page and the call share it).
 * `owner` is `patient` or a care team member id; `due` is what was typed in the date field
 * (dd.mm.åååå, or empty for none). `invalidDate` when the due date is not a real day, so
 * nothing malformed is sent.
 */
export function planItemInput(
  what: string,
  owner: string,
  due: string,
): NewPlanItem | 'invalidDate' {
  const day = due.trim() ? parseDateInput(due) : null;
  if (due.trim() && !day) return 'invalidDate';
  return {
    what: what.trim(),
    owner:
      owner === 'patient' ? { kind: 'patient' } : { kind: 'care_team_member', memberId: owner },
    dueDate: day ? `${day.y}-${pad(day.m)}-${pad(day.d)}` : null,
  };
}

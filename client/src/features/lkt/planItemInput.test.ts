import { describe, expect, it } from 'vitest';
import { NewPlanItem } from '@samkons/shared';
import { planItemInput } from './planItemInput';

describe('plan item from the add form', () => {
  it('reads the due date as typed in Norway and sends it as an ISO calendar date', () => {
    const item = planItemInput('  Blodprøve  ', '7d7c1f0e-3c8a-4b5e-9f4a-1b2c3d4e5f60', '1.2.2027');
    expect(item).toEqual({
      what: 'Blodprøve',
      owner: { kind: 'care_team_member', memberId: '7d7c1f0e-3c8a-4b5e-9f4a-1b2c3d4e5f60' },
      dueDate: '2027-02-01',
    });
    expect(NewPlanItem.safeParse(item).success).toBe(true);
  });
  it('has no due date when the field is empty, and the patient as owner', () => {
    expect(planItemInput('Gå tur', 'patient', ' ')).toEqual({
      what: 'Gå tur',
      owner: { kind: 'patient' },
      dueDate: null,
    });
  });
  it('refuses a day that does not exist instead of sending it', () => {
    expect(planItemInput('x', 'patient', '31.02.2027')).toBe('invalidDate');
    expect(planItemInput('x', 'patient', '02/31/2027')).toBe('invalidDate');
    expect(planItemInput('x', 'patient', 'neste veke')).toBe('invalidDate');
  });
});

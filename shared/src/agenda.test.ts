import { describe, expect, it } from 'vitest';
import {
  AGENDA_TEMPLATES,
  AgendaDraft,
  agendaTemplate,
  inPartAudience,
  planPart,
  UpdateAgendaRequest,
  type AgendaPart,
} from './agenda.js';
import { ConsultationKind } from './consultation.js';

const part = (over: Partial<AgendaPart>): AgendaPart => ({
  id: '00000000-0000-4000-8000-000000000001',
  title: 'Del',
  audience: 'everyone',
  optional: false,
  agreesPlan: false,
  plannedMinutes: null,
  privateParticipantIds: [],
  ...over,
});

describe('agenda templates', () => {
  it('the samkonsultasjon default is the four LKT parts, the private talk optional', () => {
    const d = agendaTemplate('co_consultation');
    expect(d.parts.map((p) => [p.title, p.audience, p.optional, p.agreesPlan])).toEqual([
      ['Førebuing', 'staff_only', false, false],
      ['Samtale med pasient og pårørande', 'everyone', false, false],
      ['Samtale åleine med pasienten', 'private', true, false],
      ['Oppsummering og plan', 'everyone', false, true],
    ]);
  });

  it.each(ConsultationKind.options)(
    '%s: valid in every language, at most one plan part',
    (kind) => {
      for (const lang of ['nn', 'nb', 'en'] as const) {
        const d = AgendaDraft.parse(agendaTemplate(kind, lang));
        expect(d.template).toBe(kind);
        expect(d.parts.filter((p) => p.agreesPlan).length).toBeLessThanOrEqual(1);
      }
      expect(AGENDA_TEMPLATES[kind].length).toBeGreaterThan(0);
    },
  );

  it('guidance has no private part and no plan (no patient)', () => {
    const d = agendaTemplate('guidance');
    expect(d.parts.some((p) => p.audience === 'private' || p.agreesPlan)).toBe(false);
  });

  it('titles differ by language where the languages differ', () => {
    expect(agendaTemplate('co_consultation', 'nb').parts[0]!.title).toBe('Forberedelse');
    expect(agendaTemplate('co_consultation', 'en').parts[2]!.title).toBe(
      'Talk with the patient alone',
    );
  });
});

describe('agenda rules', () => {
  it('refuses two plan parts and named people outside private parts', () => {
    const p = { title: 'A', audience: 'everyone', optional: false } as const;
    expect(
      UpdateAgendaRequest.safeParse({
        expectedVersion: 1,
        parts: [
          { ...p, agreesPlan: true },
          { ...p, agreesPlan: true },
        ],
      }).success,
    ).toBe(false);
    expect(
      UpdateAgendaRequest.safeParse({
        expectedVersion: 1,
        parts: [{ ...p, privateParticipantIds: ['00000000-0000-4000-8000-000000000002'] }],
      }).success,
    ).toBe(false);
  });

  it('who shares media in a part', () => {
    const named = '00000000-0000-4000-8000-00000000000a';
    const other = '00000000-0000-4000-8000-00000000000b';
    const staffOnly = part({ audience: 'staff_only' });
    const priv = part({ audience: 'private', privateParticipantIds: [named] });
    expect(inPartAudience(staffOnly, { id: other, role: 'gp' })).toBe(true);
    expect(inPartAudience(staffOnly, { id: other, role: 'patient' })).toBe(false);
    expect(inPartAudience(staffOnly, { id: other, role: 'interpreter' })).toBe(false);
    expect(inPartAudience(priv, { id: other, role: 'patient' })).toBe(true);
    expect(inPartAudience(priv, { id: named, role: 'specialist' })).toBe(true);
    expect(inPartAudience(priv, { id: other, role: 'specialist' })).toBe(false);
    expect(inPartAudience(priv, { id: other, role: 'next_of_kin' })).toBe(false);
    expect(inPartAudience(part({}), { id: other, role: 'next_of_kin' })).toBe(true);
  });

  it('finds the plan part', () => {
    const plan = part({ agreesPlan: true, id: '00000000-0000-4000-8000-000000000009' });
    expect(planPart({ parts: [part({}), plan] })).toBe(plan);
    expect(planPart({ parts: [part({})] })).toBeUndefined();
  });
});

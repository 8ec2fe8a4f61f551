import { describe, expect, it } from 'vitest';
import { SurveyAnswerInput, summariseScores, surveyAudienceForRole } from './survey.js';

const patientScores = {
  easy_to_join: 5,
  sound_and_picture: 4,
  felt_safe: 5,
  felt_included: null,
  would_choose_video_again: 5,
};

describe('survey schema', () => {
  it('accepts a complete patient/relative answer with free text', () => {
    const a = SurveyAnswerInput.parse({
      audience: 'patient_relative',
      scores: patientScores,
      freeText: '  Slapp å reise  ',
    });
    expect(a.freeText).toBe('Slapp å reise');
  });

  it('refuses scores outside 1–5, non-integers and questions from the other set', () => {
    const bad = [
      { audience: 'patient_relative', scores: { ...patientScores, easy_to_join: 6 } },
      { audience: 'patient_relative', scores: { ...patientScores, easy_to_join: 0 } },
      { audience: 'patient_relative', scores: { ...patientScores, easy_to_join: 2.5 } },
      {
        audience: 'patient_relative',
        scores: { ...patientScores, useful_for_collaboration: 3 },
      },
      { audience: 'staff', scores: patientScores },
      { audience: 'visitor', scores: patientScores },
      { audience: 'patient_relative', scores: patientScores, freeText: 'x'.repeat(2001) },
    ];
    for (const b of bad) expect(SurveyAnswerInput.safeParse(b).success).toBe(false);
  });

  it('gives patients and relatives one set, staff another', () => {
    expect(surveyAudienceForRole('patient')).toBe('patient_relative');
    expect(surveyAudienceForRole('next_of_kin')).toBe('patient_relative');
    for (const r of ['specialist', 'gp', 'municipal', 'interpreter']) {
      expect(surveyAudienceForRole(r)).toBe('staff');
    }
  });

  it('summarises means per question, ignoring unanswered ones', () => {
    const s = summariseScores([
      { scores: { easy_to_join: 5, felt_safe: null } },
      { scores: { easy_to_join: 2 } },
    ]);
    expect(s.find((q) => q.question === 'easy_to_join')).toEqual({
      question: 'easy_to_join',
      answers: 2,
      mean: 3.5,
    });
    expect(s.find((q) => q.question === 'felt_safe')).toEqual({
      question: 'felt_safe',
      answers: 0,
      mean: null,
    });
  });
});

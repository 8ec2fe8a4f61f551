import { describe, expect, it } from 'vitest';
import { SURVEY_QUESTIONS } from '@samkons/shared';
import { surveyMessages } from './i18n';
import { emptyDraft, questionKey, toAnswer } from './model';

describe('survey form model', () => {
  it('sends every question of the set, unanswered as null, text trimmed', () => {
    const a = toAnswer('patient_relative', {
      scores: { easy_to_join: 5, felt_safe: 4 },
      freeText: '  Greitt  ',
    });
    expect(a).toEqual({
      audience: 'patient_relative',
      scores: {
        easy_to_join: 5,
        sound_and_picture: null,
        felt_safe: 4,
        felt_included: null,
        would_choose_video_again: null,
      },
      freeText: 'Greitt',
    });
    expect(toAnswer('staff', emptyDraft())).toEqual({
      audience: 'staff',
      scores: Object.fromEntries(SURVEY_QUESTIONS.staff.map((q) => [q, null])),
    });
  });

  it('drops questions of the other set and refuses out-of-range scores', () => {
    const a = toAnswer('staff', { scores: { felt_safe: 5, easy_to_join: 3 }, freeText: '' });
    expect(a?.scores).not.toHaveProperty('felt_safe');
    expect(toAnswer('staff', { scores: { easy_to_join: 7 }, freeText: '' })).toBeNull();
    expect(toAnswer('staff', { scores: {}, freeText: 'x'.repeat(2001) })).toBeNull();
  });

  it('has a question text for every question of both sets in every language', () => {
    for (const audience of ['patient_relative', 'staff'] as const) {
      for (const q of SURVEY_QUESTIONS[audience]) {
        for (const lng of ['nn', 'nb', 'en'] as const) {
          expect(surveyMessages[lng][questionKey(audience, q)]).toBeTruthy();
        }
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { CancelRequest, CreateConsultationRequest } from './booking.js';
import { LoginRequest } from './auth.js';
import { requests } from './signalling.js';
import { SurveyAnswerInput } from './survey.js';
import { TravelPlan } from './travel/model.js';
import { hasControlCharacters, lineText, multilineText } from './plain-text.js';

describe('text fields', () => {
  it('refuse control characters; multi-line text keeps tab and line breaks', () => {
    for (const ch of [
      '\u0000',
      '\u0001',
      '\u0007',
      '\t',
      '\n',
      '\r',
      '\u001b',
      '\u007f',
      '\u0085',
    ]) {
      expect(lineText.safeParse(`a${ch}b`).success, JSON.stringify(ch)).toBe(false);
    }
    for (const ch of ['\t', '\n', '\r'])
      expect(multilineText.safeParse(`a${ch}b`).success).toBe(true);
    for (const ch of ['\u0000', '\u0008', '\u000b', '\u001f', '\u009f']) {
      expect(multilineText.safeParse(`a${ch}b`).success, JSON.stringify(ch)).toBe(false);
    }
    // Letters people write are text, not controls.
    expect(hasControlCharacters('Åse Ødegård-Ærø, «fastlege» – 12 €')).toBe(false);
  });

  it('apply to the inputs people type', () => {
    const nul = 'x\u0000';
    expect(LoginRequest.safeParse({ username: nul, password: 'p' }).success).toBe(false);
    expect(CancelRequest.safeParse({ reason: nul }).success).toBe(false);
    expect(CancelRequest.safeParse({ reason: 'Sjuk.\nNy time kjem.' }).success).toBe(true);
    const booking = {
      kind: 'follow_up',
      startsAt: '2030-01-01T10:00:00Z',
      endsAt: '2030-01-01T10:30:00Z',
      documentingOrganisation: 'Helse Bergen',
      participants: [{ role: 'interpreter', name: 'Tolk', joinsFrom: 'home', travelDistanceKm: 0 }],
    };
    expect(CreateConsultationRequest.safeParse(booking).success).toBe(true);
    expect(CreateConsultationRequest.safeParse({ ...booking, title: nul }).success).toBe(false);
    expect(
      CreateConsultationRequest.safeParse({
        ...booking,
        participants: [{ ...booking.participants[0], name: nul }],
      }).success,
    ).toBe(false);
    expect(requests.sendChat.req.safeParse({ text: nul }).success).toBe(false);
    expect(requests.sendChat.req.safeParse({ text: 'Hei\nder' }).success).toBe(true);
    expect(
      requests.setRoster.req.safeParse({ people: [{ name: nul, relation: null }] }).success,
    ).toBe(false);
    expect(
      SurveyAnswerInput.safeParse({
        audience: 'staff',
        scores: {
          easy_to_join: 5,
          sound_and_picture: 5,
          felt_included: 5,
          useful_for_collaboration: 5,
          would_choose_video_again: 5,
        },
        freeText: nul,
      }).success,
    ).toBe(false);
    expect(
      TravelPlan.safeParse({ origin: { kind: 'place', placeId: nul }, mode: 'car' }).success,
    ).toBe(false);
  });
});

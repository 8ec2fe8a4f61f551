/**
 * Every message as the participant reads it, in nynorsk, bokmål and English: who invites,
 * the weekday and time without seconds, what to prepare, whom to call, the trust line and a
 * short link; SMS and e-mail.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGE_LANGUAGES, longDate, renderMessage, type MessageFacts } from './messages.js';

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  kind: 'invite',
  channel: 'email',
  language: 'nn',
  recipientName: 'Kari Nordmann',
  organiserName: 'Dr. Ingrid Vik',
  organisation: 'Helse Bergen, Haukeland universitetssjukehus',
  title: 'Oppfølging hjartesvikt',
  // 08:30 UTC on Tuesday 1 December 2026 is 09:30 in Norway (CET).
  startsAt: '2026-12-01T08:30:00.000Z',
  endsAt: '2026-12-01T09:15:00.000Z',
  link: 'https://samkons.test/m/AbCdEfGhIjKlMnOpQrStUv',
  opensMinutesBefore: 60,
  contactPhone: '55 00 00 00',
  ...over,
});

describe('messages', () => {
  it('writes the invite in nynorsk with weekday, time without seconds, who, what to prepare, phone and trust line', () => {
    const m = renderMessage(facts());
    expect(m.subject).toBe('Invitasjon til videomøte: tysdag 1. desember 2026 kl. 09:30');
    expect(m.body).toBe(
      [
        'Hei, Kari Nordmann.',
        '',
        'Dr. Ingrid Vik ved Helse Bergen, Haukeland universitetssjukehus inviterer deg til «Oppfølging hjartesvikt».',
        '',
        'Tid: tysdag 1. desember 2026 kl. 09:30–10:15',
        '',
        'Slik førebur du deg:',
        '- Bruk ein PC, eit nettbrett eller ein mobil med kamera og mikrofon.',
        '- Finn ein roleg stad med god dekning eller trådlaust nett.',
        '- Opne lenkja 10 minutt før, så rekk du å prøve lyd og bilete.',
        '- Skriv gjerne ned spørsmål og kva medisinar du bruker.',
        '',
        'Bli med i møtet:',
        'https://samkons.test/m/AbCdEfGhIjKlMnOpQrStUv',
        'Lenkja opnar 60 minutt før møtet. Ho er berre for deg: ikkje del ho.',
        '',
        'Spørsmål, eller treng du ei anna tid? Ring 55 00 00 00.',
        'Vi spør aldri om passord eller BankID-kodar på SMS eller e-post.',
        '',
        'Dr. Ingrid Vik ved Helse Bergen, Haukeland universitetssjukehus',
      ].join('\n'),
    );
  });

  it('writes bokmål and English with their own weekday names', () => {
    const nb = renderMessage(facts({ language: 'nb' }));
    expect(nb.subject).toBe('Invitasjon til videomøte: tirsdag 1. desember 2026 kl. 09:30');
    expect(nb.body).toContain('Slik forbereder du deg:');
    expect(nb.body).toContain('Ring 55 00 00 00.');
    expect(nb.body).toContain('Vi spør aldri om passord eller BankID-koder på SMS eller e-post.');
    const en = renderMessage(facts({ language: 'en' }));
    expect(en.subject).toBe('Invitation to a video meeting: Tuesday 1 December 2026 at 09:30');
    expect(en.body).toContain(
      'Dr. Ingrid Vik at Helse Bergen, Haukeland universitetssjukehus invites you to «Oppfølging hjartesvikt».',
    );
    expect(en.body).toContain('When: Tuesday 1 December 2026 at 09:30–10:15');
    expect(en.body).toContain('We never ask for passwords or BankID codes');
  });

  it('uses Norwegian summer time and never prints seconds', () => {
    // 07:05:59 UTC on Monday 15 June 2026 is 09:05 in Norway (CEST).
    const m = renderMessage(
      facts({ startsAt: '2026-06-15T07:05:59.000Z', endsAt: '2026-06-15T07:50:00.000Z' }),
    );
    expect(m.subject).toBe('Invitasjon til videomøte: måndag 15. juni 2026 kl. 09:05');
    expect(m.body).not.toMatch(/\d\d:\d\d:\d\d/);
  });

  it.each(MESSAGE_LANGUAGES)(
    'every kind in %s names the organisation and keeps the link short',
    (language) => {
      for (const kind of ['invite', 'change', 'reminder', 'cancellation', 'survey'] as const) {
        for (const channel of ['email', 'sms'] as const) {
          const m = renderMessage(
            facts({
              kind,
              channel,
              language,
              link: kind === 'cancellation' ? null : facts().link,
              cancelReason: kind === 'cancellation' ? 'Legen er sjuk' : null,
            }),
          );
          expect(m.body).toContain('Helse Bergen');
          expect(m.subject).not.toMatch(/\d\d:\d\d:\d\d/);
          const links = m.body.match(/https?:\/\/\S+/g) ?? [];
          for (const l of links) expect(l.length).toBeLessThan(60);
          if (kind === 'cancellation') {
            expect(links).toEqual([]);
            expect(m.body).toContain('Legen er sjuk');
          } else {
            expect(links).toHaveLength(1);
          }
          if (channel === 'sms') expect(m.body.length).toBeLessThan(480);
        }
      }
    },
  );

  it('writes a short SMS with the same facts', () => {
    const m = renderMessage(facts({ channel: 'sms', kind: 'reminder' }));
    expect(m.body).toBe(
      [
        'Helse Bergen, Haukeland universitetssjukehus: Hugs «Oppfølging hjartesvikt» med Dr. Ingrid Vik.',
        'Tid: tysdag 1. desember 2026 kl. 09:30.',
        'Ha kamera og lyd klart 10 min før.',
        'https://samkons.test/m/AbCdEfGhIjKlMnOpQrStUv',
        'Spørsmål, eller treng du ei anna tid? Ring 55 00 00 00.',
        'Vi spør aldri om passord eller BankID-kodar på SMS eller e-post.',
      ].join('\n'),
    );
  });

  it('says cancelled with the reason, and invites to the survey after the session', () => {
    const cancelled = renderMessage(
      facts({ kind: 'cancellation', link: null, cancelReason: 'Sjukdom' }),
    );
    expect(cancelled.subject).toBe('Videomøtet er avlyst: tysdag 1. desember 2026 kl. 09:30');
    expect(cancelled.body).toContain('har avlyst «Oppfølging hjartesvikt».');
    expect(cancelled.body).toContain('Grunn: Sjukdom');
    expect(cancelled.body).not.toContain('Slik førebur du deg');
    const survey = renderMessage(facts({ kind: 'survey' }));
    expect(survey.subject).toBe('Korleis gjekk videomøtet? (tysdag 1. desember 2026)');
    expect(survey.body).toContain('Vil du svare på nokre korte spørsmål om korleis det gjekk?');
    expect(survey.body).toContain('https://samkons.test/m/AbCdEfGhIjKlMnOpQrStUv');
  });

  it('without a phone number points to whoever invited; staff get no patient advice', () => {
    const m = renderMessage(facts({ contactPhone: null }));
    expect(m.body).toContain('Ta kontakt med den som kalla deg inn.');
    const staff = renderMessage(
      facts({ staff: true, link: 'https://samkons.test/consultations/x' }),
    );
    expect(staff.body).not.toContain('Slik førebur du deg');
    expect(staff.body).not.toContain('BankID');
    expect(staff.body).toContain('Opne møtet etter at du har logga inn:');
  });

  it('names every weekday and month in each written standard', () => {
    // Noon UTC is the same calendar day in Norway all year.
    const noon = (month: number, day: number) =>
      new Date(Date.UTC(2026, month, day, 12)).toISOString();
    const week = (lng: 'nn' | 'nb' | 'en') =>
      Array.from({ length: 7 }, (_, i) => longDate(noon(11, 6 + i), lng).split(' ')[0]);
    expect(week('nn')).toEqual([
      'sundag',
      'måndag',
      'tysdag',
      'onsdag',
      'torsdag',
      'fredag',
      'laurdag',
    ]);
    expect(week('nb')).toEqual([
      'søndag',
      'mandag',
      'tirsdag',
      'onsdag',
      'torsdag',
      'fredag',
      'lørdag',
    ]);
    expect(week('en')[0]).toBe('Sunday');
    const months = (lng: 'nn' | 'nb' | 'en') =>
      Array.from({ length: 12 }, (_, m) => longDate(noon(m, 15), lng).split(' ')[2]);
    const norwegian = [
      'januar',
      'februar',
      'mars',
      'april',
      'mai',
      'juni',
      'juli',
      'august',
      'september',
      'oktober',
      'november',
      'desember',
    ];
    expect(months('nn')).toEqual(norwegian);
    expect(months('nb')).toEqual(norwegian);
    expect(months('en')[11]).toBe('December');
  });
});

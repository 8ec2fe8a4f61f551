import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateTime,
  formatMonth,
  formatShortDateTime,
  formatTime,
  fromInputs,
  osloToday,
  parseDateInput,
  parseTimeInput,
  toDateInput,
  toTimeInput,
} from './format';

// Local wall time: the app formats in the person's own time zone.
const tuesday = new Date(2026, 11, 1, 9, 30);
const in2026 = new Date(2026, 5, 1);

describe('dates in the app language (not the browser Intl data)', () => {
  it('writes nynorsk weekday and month names, not bokmål', () => {
    expect(formatDateTime(tuesday, 'nn')).toBe('tysdag 1. desember 2026 kl. 09:30');
    expect(formatDate(new Date(2026, 10, 28), 'nn', in2026)).toBe('laurdag 28. november');
    expect(formatDate(new Date(2026, 10, 29), 'nn', in2026)).toBe('sundag 29. november');
    expect(formatDate(new Date(2026, 10, 30), 'nn', in2026)).toBe('måndag 30. november');
  });
  it('writes bokmål and English', () => {
    expect(formatDateTime(tuesday, 'nb')).toBe('tirsdag 1. desember 2026 kl. 09:30');
    expect(formatDateTime(tuesday, 'en')).toBe('Tuesday 1 December 2026 at 09:30');
    expect(formatDate(tuesday, 'en', in2026)).toBe('Tuesday 1 December');
  });
  it('adds the year only when it is not this year', () => {
    expect(formatDate('2031-01-31', 'nn', in2026)).toBe('fredag 31. januar 2031');
    expect(formatDate('2031-01-31', 'en', in2026)).toBe('Friday 31 January 2031');
    expect(formatDate('2026-01-31', 'nb', in2026)).toBe('lørdag 31. januar');
  });
  it('uses the 24-hour clock and dd.mm.yyyy', () => {
    const evening = new Date(2026, 10, 24, 23, 45);
    expect(formatTime(evening, 'en')).toBe('23:45');
    expect(formatShortDateTime(evening, 'nn')).toBe('24.11.2026, 23:45');
    expect(formatShortDateTime(evening, 'en')).toBe('24/11/2026, 23:45');
    expect(formatMonth(new Date(2024, 2, 15), 'nn')).toBe('mars 2024');
  });
});

describe('date and time fields', () => {
  it('read dd.mm.yyyy (and ISO), refusing dates that do not exist', () => {
    expect(parseDateInput('01.12.2026')).toEqual({ y: 2026, m: 12, d: 1 });
    expect(parseDateInput('1.2.2026')).toEqual({ y: 2026, m: 2, d: 1 });
    expect(parseDateInput('2026-12-01')).toEqual({ y: 2026, m: 12, d: 1 });
    expect(parseDateInput('30.02.2026')).toBeNull();
    expect(parseDateInput('12/31/2026')).toBeNull();
    expect(parseDateInput('')).toBeNull();
  });
  it('read the 24-hour clock only', () => {
    expect(parseTimeInput('09:30')).toEqual({ h: 9, min: 30 });
    expect(parseTimeInput('9.30')).toEqual({ h: 9, min: 30 });
    expect(parseTimeInput('2330')).toEqual({ h: 23, min: 30 });
    expect(parseTimeInput('24:00')).toBeNull();
    expect(parseTimeInput('9:30 PM')).toBeNull();
  });
  it('round-trip through the fields', () => {
    expect(toDateInput(tuesday)).toBe('01.12.2026');
    expect(toTimeInput(tuesday)).toBe('09:30');
    expect(fromInputs('01.12.2026', '09:30')?.getTime()).toBe(tuesday.getTime());
    expect(fromInputs('01.12.2026', '25:00')).toBeNull();
  });
});

describe('calendar dates', () => {
  it('reads a bare YYYY-MM-DD as that day in any time zone, not UTC midnight', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(formatDate('2026-12-01', 'nn', in2026)).toBe('tysdag 1. desember');
    } finally {
      process.env.TZ = zone;
      if (zone === undefined) delete process.env.TZ;
    }
  });
  it('knows today in Oslo when it is still yesterday in UTC', () => {
    expect(osloToday(new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
  });
});

// Calendar arithmetic on day numbers (days since 1970-01-01, UTC): parsing, formatting,
// ISO weeks and US holidays. Dates in data are day numbers; text is formatted once per day.

const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export function dayFromCivil(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function civilFromDay(dayNumber: number): CivilDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Parses YYYY-MM-DD strictly (the day must exist); returns null when it is not a date. */
export function parseIsoDay(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const n = dayFromCivil(year, month, day);
  const back = civilFromDay(n);
  return back.year === year && back.month === month && back.day === day ? n : null;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

export function formatIsoDay(dayNumber: number): string {
  const c = civilFromDay(dayNumber);
  return `${String(c.year).padStart(4, '0')}-${pad2(c.month)}-${pad2(c.day)}`;
}

/** 0 = Monday … 6 = Sunday. 1970-01-01 was a Thursday (3). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** ISO 8601 week number (1..53). */
export function isoWeekOf(dayNumber: number): number {
  const thursday = dayNumber - weekdayOf(dayNumber) + 3; // the Thursday of this ISO week
  const year = civilFromDay(thursday).year;
  return Math.floor((thursday - dayFromCivil(year, 1, 1)) / 7) + 1;
}

/** The n-th (1-based) given weekday of a month, or the last one when n = -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = dayFromCivil(year, month, 1);
    return first + ((weekday - weekdayOf(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayFromCivil(year, month + 1, 1) - 1;
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

/** US federal holidays of a year (on their calendar day, not the observed weekday) plus Black Friday. */
export function usHolidays(year: number): number[] {
  const MON = 0;
  const THU = 3;
  const thanksgiving = nthWeekday(year, 11, THU, 4);
  return [
    dayFromCivil(year, 1, 1), // New Year's Day
    nthWeekday(year, 1, MON, 3), // Martin Luther King Jr. Day
    nthWeekday(year, 2, MON, 3), // Presidents' Day
    nthWeekday(year, 5, MON, -1), // Memorial Day
    dayFromCivil(year, 6, 19), // Juneteenth
    dayFromCivil(year, 7, 4), // Independence Day
    nthWeekday(year, 9, MON, 1), // Labor Day
    nthWeekday(year, 10, MON, 2), // Columbus Day
    dayFromCivil(year, 11, 11), // Veterans Day
    thanksgiving, // Thanksgiving
    thanksgiving + 1, // Black Friday (not federal, but the busiest retail day)
    dayFromCivil(year, 12, 25), // Christmas Day
  ];
}

/** The retail days of a year that order weights treat apart from the other holidays. */
export function retailDays(year: number): { thanksgiving: number; blackFriday: number; christmas: number } {
  const thanksgiving = nthWeekday(year, 11, 3, 4);
  return { thanksgiving, blackFriday: thanksgiving + 1, christmas: dayFromCivil(year, 12, 25) };
}

/**
 * ASCII bytes of YYYY-MM-DD for every day in [firstDay, firstDay + count), 10 bytes each, so a
 * CSV encoder copies a date instead of formatting it.
 */
export class DateTextTable {
  readonly firstDay: number;
  readonly count: number;
  readonly bytes: Uint8Array;

  constructor(firstDay: number, count: number) {
    this.firstDay = firstDay;
    this.count = count;
    this.bytes = new Uint8Array(count * 10);
    for (let i = 0; i < count; i++) {
      const text = formatIsoDay(firstDay + i);
      for (let k = 0; k < 10; k++) this.bytes[i * 10 + k] = text.charCodeAt(k);
    }
  }
}

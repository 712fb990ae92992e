/**
 * The dates of a restored message's events. Event order is kept through `created_date`: an event's date is its
 * message's date plus its position in microseconds, exactly what PostgreSQL's `created + seq * interval
 * '1 microsecond'` gives, computed here so the events' rows go straight into their tables with COPY.
 *
 * A date that names its offset (or `Z`) is computed here; one without an offset is local to the session's time zone,
 * which only PostgreSQL knows, so the import asks it for those in UTC first (`zonelessDatesSql`).
 */
import { LineError } from "./import-parse.js";

/** The file's date forms (import-parse.ts `isDate`), with the offset required. */
const ZONED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Whether the date names its offset (otherwise it is read in the session's time zone). */
export function hasOffset(date: string): boolean {
  return date.endsWith("Z") || /[+-]\d{2}(:?\d{2})?$/.test(date.slice(-6));
}

/** PostgreSQL's reading of dates without an offset, in UTC with microseconds ($1: the dates, text[]). */
export const zonelessDatesSql = `SELECT d AS date, to_char(d::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS utc FROM unnest($1::text[]) AS d`;

/**
 * A date with an offset plus `micros`, as milliseconds since the epoch and the microseconds past them (kept apart:
 * microseconds since the epoch lose precision in a double before 1685 and after 2255).
 */
function plusMicros(date: string, micros: number): { ms: number; us: number } {
  const p = ZONED.exec(date);
  if (!p) throw new LineError(`date ${date}: not a date with an offset`);
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  d.setUTCFullYear(Number(p[1]), Number(p[2]) - 1, Number(p[3]));
  d.setUTCHours(Number(p[4]), Number(p[5]), Number(p[6] ?? 0), 0);
  const offsetMinutes = p[8] ? (p[8] === "-" ? -1 : 1) * (Number(p[9]) * 60 + Number(p[10] ?? 0)) : 0;
  const us = Number((p[7] ?? "").padEnd(6, "0")) + micros;
  return { ms: d.getTime() - offsetMinutes * 60_000 + Math.floor(us / 1000), us: us % 1000 };
}

const two = (n: number) => String(n).padStart(2, "0");

/** An ISO date in UTC with microseconds, as PostgreSQL reads it back exactly. */
function isoMicros({ ms, us }: { ms: number; us: number }): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw new LineError(`an event date falls outside the years 1-9999`);
  return (
    `${String(year).padStart(4, "0")}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:` +
    `${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}${String(us).padStart(3, "0")}Z`
  );
}

/**
 * The date of the event at position `seq` of a message dated `date`. `zoned` is that date with an offset: the date
 * itself, or PostgreSQL's UTC reading of a date without one. Position 0 is the message's own date, as written.
 */
export function eventDate(date: string, zoned: string, seq: number): string {
  return seq === 0 ? date : isoMicros(plusMicros(zoned, seq));
}

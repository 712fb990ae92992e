/**
 * A restore writes its events' rows with COPY, so their dates (the message's date plus the event's position in
 * microseconds, which keeps their order) are computed by the importer (event-dates.ts). They must be exactly what
 * PostgreSQL's `created + seq * interval '1 microsecond'` gave when the staging table computed them, for every date
 * form the file may hold, in any session time zone.
 */
import { expect } from "chai";
import { Client } from "pg";
import { baseDatabaseUrl } from "../helpers/database.js";
import { eventDate, hasOffset, zonelessDatesSql } from "../../src/modules/datasets/event-dates.js";

const DATES = [
  "2023-02-05T12:34:56.123456+00:00",
  "2023-02-05T12:34:56Z",
  "2023-02-05 12:34:56.5Z",
  "2023-02-05T12:34Z",
  "2023-02-05T23:59:59.999999Z",
  "2023-12-31T23:59:59.999998-01:00",
  "2024-02-28T23:59:59.999999Z",
  "2023-02-05T01:02:03.04+05:30",
  "2023-02-05T01:02:03+0530",
  "2023-02-05T01:02:03.000001-08",
  "0099-06-01T00:00:00Z",
  "1969-12-31T23:59:59.999999Z",
  "2023-02-05T12:34:56.123456",
  "2023-03-26T01:59:59.999999",
  "2023-10-29 02:30:00",
  "2023-02-05T12:34",
];

describe("datasets: restored event dates are the message's date plus the event's position in microseconds", function () {
  let client: Client;
  before(async () => {
    client = new Client({ connectionString: baseDatabaseUrl() });
    await client.connect();
  });
  after(async () => {
    await client.end();
  });

  for (const zone of ["UTC", "Europe/Berlin", "America/St_Johns"]) {
    it(`equal PostgreSQL's sum for every date form, in a session in ${zone}`, async () => {
      await client.query(`SET TIME ZONE '${zone}'`);
      const zoneless = DATES.filter((d) => !hasOffset(d));
      expect(zoneless).to.have.length(4);
      const utc = new Map((await client.query(zonelessDatesSql, [zoneless])).rows.map((r: { date: string; utc: string }) => [r.date, r.utc]));
      for (const date of DATES) {
        for (const seq of [0, 1, 2, 7, 1_000_001]) {
          const ours = eventDate(date, utc.get(date) ?? date, seq);
          const { rows } = await client.query(
            `SELECT $1::timestamptz + $2 * interval '1 microsecond' = $3::timestamptz AS same, $3::timestamptz::text AS ours`,
            [date, seq, ours],
          );
          expect(rows[0].same, `${date} + ${seq} µs: ${ours} read as ${rows[0].ours}`).to.equal(true);
        }
      }
    });
  }
});

/**
 * A `float8[]` query parameter in PostgreSQL's binary array format. The pg driver sends a Buffer parameter as
 * binary, and the statement's `$n::float8[]` cast gives it its type. For long arrays of random numbers (a random
 * draw sends 64 per kind, five kinds per task request): the driver's text form writes each number as its shortest
 * decimal and quotes it (about 50 µs of the server's CPU per 64 numbers, and PostgreSQL parses them back), where
 * this writes the eight bytes of each. Exact either way: the binary form is the double itself.
 */
/** pg_type oid of float8. */
const FLOAT8_OID = 701;

export function float8Array(values: readonly number[]): Buffer {
  // Header: dimensions (1), has-nulls flag (0), element type, then the one dimension's length and lower bound (1);
  // then each element as its length (8) and its big-endian IEEE 754 bytes.
  const out = Buffer.allocUnsafe(20 + 12 * values.length);
  out.writeInt32BE(1, 0);
  out.writeInt32BE(0, 4);
  out.writeInt32BE(FLOAT8_OID, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16);
  let at = 20;
  for (const v of values) {
    out.writeInt32BE(8, at);
    out.writeDoubleBE(v, at + 4);
    at += 12;
  }
  return out;
}

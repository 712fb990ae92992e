import { expect } from "chai";
import { GraphQLError } from "graphql";
import { formatError } from "../../src/common/errors.js";

/** A driver error as TypeORM wraps it: the SQL in the message, the SQLSTATE in driverError.code. */
function dbError(code: string, message: string) {
  const e = new Error(`${message} (query: INSERT INTO message (id, text) VALUES ($1, $2))`) as Error & { driverError: { code: string; message: string } };
  e.driverError = { code, message };
  return new GraphQLError(e.message, { originalError: e });
}

describe("error mapping of database failures", () => {
  const format = (err: GraphQLError) => {
    const logged: unknown[] = [];
    const out = formatError(err.toJSON(), err, (orig) => {
      logged.push(orig);
      return "req-1";
    });
    return { out, logged };
  };

  it("answers a data exception caused by the client's value with BAD_USER_INPUT and no SQL", () => {
    for (const [code, text] of [
      ["22P05", "unsupported Unicode escape sequence"],
      ["22021", 'invalid byte sequence for encoding "UTF8": 0x00'],
      ["22001", "value too long for type character varying(32)"],
      ["22P02", 'invalid input syntax for type uuid: "x"'],
    ]) {
      const { out, logged } = format(dbError(code, text));
      expect(out.extensions!.code, code).to.equal("BAD_USER_INPUT");
      expect(JSON.stringify(out)).to.not.match(/INSERT|uuid:|varying|0x00|query/);
      expect(logged).to.have.length(0);
    }
  });

  it("answers a lost connection or a shutting-down server with SERVICE_UNAVAILABLE, logged with a request id", () => {
    for (const [code, text] of [
      ["57P01", "terminating connection due to administrator command"],
      ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"],
      ["", "Connection terminated unexpectedly"],
    ]) {
      const { out, logged } = format(dbError(code, text));
      expect(out.extensions!.code, text).to.equal("SERVICE_UNAVAILABLE");
      expect(out.extensions!.requestId).to.equal("req-1");
      expect(JSON.stringify(out)).to.not.match(/INSERT|5432|administrator/);
      expect(logged).to.have.length(1);
    }
  });

  it("masks any other failure as INTERNAL_SERVER_ERROR with the request id only", () => {
    const { out } = format(dbError("42P01", 'relation "chat" does not exist'));
    expect(out.extensions!.code).to.equal("INTERNAL_SERVER_ERROR");
    expect(out.message).to.equal("Internal server error (request req-1)");
  });
});

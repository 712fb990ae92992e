/**
 * Apollo Server as an express 5 middleware (`@as-integrations/express5`), with one difference for POST: a POST's
 * complete answer is written as it is, with its length, instead of through express's `res.send`, which hashes every
 * body for an ETag (a fifth of the HTTP layer's own CPU on a task cycle) that no POST can use: a conditional request
 * is a GET or HEAD. GET answers still go through `res.send`, with their ETag and 304 Not Modified.
 */
import type { Request, RequestHandler, Response } from "express";
import type { ApolloServer, BaseContext, ContextFunction } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";

export function apolloMiddleware<C extends BaseContext>(
  server: ApolloServer<C>,
  context: ContextFunction<[{ req: Request; res: Response }], C>,
): RequestHandler {
  const apollo = expressMiddleware(server, { context });
  return (req, res, next) => {
    if (req.method === "POST") res.send = sendWithoutEtag(res, res.send);
    return apollo(req, res, next);
  };
}

/**
 * `res.send` for a POST's answer: a string body Apollo has typed (it sets the media type before sending) is ended
 * with its length; anything else goes to express's own `send` as before.
 */
function sendWithoutEtag(res: Response, send: Response["send"]): Response["send"] {
  return (body?: unknown) => {
    if (typeof body !== "string" || !res.getHeader("content-type")) return send.call(res, body);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
    return res;
  };
}

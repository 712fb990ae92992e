/**
 * Apollo Server as an express 5 middleware (`@as-integrations/express5`), and one difference for POST: a POST's
 * complete answer is written as it is, with its length, instead of through express's `res.send`, which hashes every
 * body for an ETag (a fifth of the HTTP layer's own CPU on a task cycle) that no POST can use: a conditional request
 * is a GET or HEAD. GET answers still go through `res.send`, with their ETag and 304 Not Modified. The POST rule is
 * a middleware of its own (`postWithoutEtag`), mounted before the body parser so that every answer of a POST, the
 * body parser's and the gate's refusals too, is written alike (as the direct path, graphql-post.ts, writes them).
 */
import type { Request, RequestHandler, Response } from "express";
import type { ApolloServer, BaseContext, ContextFunction } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";

export function apolloMiddleware<C extends BaseContext>(
  server: ApolloServer<C>,
  context: ContextFunction<[{ req: Request; res: Response }], C>,
): RequestHandler {
  return expressMiddleware(server, { context });
}

/** Every answer to a POST is written without an ETag (see above). */
export function postWithoutEtag(): RequestHandler {
  return (req, res, next) => {
    if (req.method === "POST") res.send = sendWithoutEtag(res, res.send);
    next();
  };
}

/**
 * `res.send` for a POST's answer: a string body already typed (Apollo and `res.json` set the media type before
 * sending) is ended with its length; anything else goes to express's own `send` as before.
 */
function sendWithoutEtag(res: Response, send: Response["send"]): Response["send"] {
  return (body?: unknown) => {
    const type = res.getHeader("content-type");
    if (typeof body !== "string" || typeof type !== "string") return send.call(res, body);
    // express's send names the charset of a string body (res.json's answers come here without one).
    if (!/;\s*charset=/i.test(type)) res.setHeader("content-type", `${type}; charset=utf-8`);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
    return res;
  };
}

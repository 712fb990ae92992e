/**
 * Apollo Server as an express 5 middleware: what `@as-integrations/express5`'s `expressMiddleware` does, with one
 * difference for POST. A POST's complete answer is written as it is, with its length, instead of through express's
 * `res.send`, which hashes every body for an ETag (a fifth of the HTTP layer's own CPU on a task cycle) that no POST
 * can use: a conditional request is a GET or HEAD. GET answers still go through `res.send`, with their ETag and
 * 304 Not Modified.
 */
import type { Request, RequestHandler, Response } from "express";
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from "@apollo/server";

export function apolloMiddleware<C extends BaseContext>(
  server: ApolloServer<C>,
  context: ContextFunction<[{ req: Request; res: Response }], C>,
): RequestHandler {
  server.assertStarted("apolloMiddleware()");
  return async (req, res) => {
    if (!("body" in req)) {
      res.status(500);
      res.send("`req.body` is not set; this probably means you forgot to set up the `json` middleware before the Apollo Server middleware.");
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const query = req.url.indexOf("?");
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: query < 0 ? "" : req.url.slice(query), body: req.body },
      context: () => context({ req, res }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === "complete") {
      if (req.method !== "POST" || !res.getHeader("content-type")) {
        res.send(response.body.string);
        return;
      }
      res.setHeader("content-length", Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      res.write(chunk);
      if (typeof (res as { flush?: () => void }).flush === "function") (res as unknown as { flush: () => void }).flush();
    }
    res.end();
  };
}

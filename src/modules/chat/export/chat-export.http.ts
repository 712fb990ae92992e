/**
 * `GET /chats/export.jsonl`: everything a user has in chat, for them to download (their chats with messages,
 * votes, reports and draft choices, hidden and opted-out chats included), as the JSONL trees of
 * `chorus export-chats`, with its options as query parameters. The same credentials as GraphQL (a user token, or a
 * trusted key with x-chorus-user).
 */
import type { Request, Response } from "express";
import { GraphQLError } from "graphql";
import type { AppServices } from "../../../server/services.js";
import { buildContext } from "../../../server/context.js";
import { ErrorCode } from "../../../common/errors.js";
import { LineWriter } from "../../datasets/jsonl-stream.js";
import { ChatExporter, chatExportFilters, type ChatExportOptions } from "./chat-export.service.js";
import { ApiClientKind } from "../../api-clients/api-client.entity.js";

function fail(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.USER_DISABLED]: 403,
};

const FLAGS = ["scored", "reported", "flat"] as const;
const VALUES = ["chat", "from-date", "to-date", "anonymizer-seed"] as const;

function flagValue(name: string, value: string): boolean {
  if (["", "true", "1", "yes"].includes(value.toLowerCase())) return true;
  if (["false", "0", "no"].includes(value.toLowerCase())) return false;
  throw new Error(`${name} must be true or false`);
}

/** The CLI's options as query parameters, named as the CLI names them without the dashes (`?flat&from-date=2026-01-01`). */
export function parseChatExportQuery(query: Request["query"]): Partial<ChatExportOptions> {
  const known = new Set<string>([...FLAGS, ...VALUES]);
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new Error(`${name} must be given once`);
    return v;
  };
  for (const name of Object.keys(query)) if (!known.has(name)) throw new Error(`unknown parameter ${name}`);
  const flag = (name: (typeof FLAGS)[number]) => {
    const v = one(name);
    return v === undefined ? false : flagValue(name, v);
  };
  return chatExportFilters(
    {
      chat: one("chat"),
      fromDate: one("from-date"),
      toDate: one("to-date"),
      anonymizerSeed: one("anonymizer-seed"),
      scored: flag("scored"),
      reported: flag("reported"),
      flat: flag("flat"),
    },
    { chat: "chat", fromDate: "from-date", toDate: "to-date", anonymizerSeed: "anonymizer-seed" },
  );
}

export function chatExportHandler(app: AppServices) {
  return async (req: Request, res: Response): Promise<void> => {
    let userId: string;
    try {
      const ctx = await buildContext(app, {
        authorization: req.header("authorization"),
        apiKey: req.header("x-api-key"),
        user: req.header("x-chorus-user"),
        userName: req.header("x-chorus-user-name"),
        requestId: req.header("x-request-id"),
      });
      if (ctx.identity.via === "anonymous") return fail(res, 401, ErrorCode.UNAUTHENTICATED, "A user token, or a key with x-chorus-user, is required");
      if (ctx.identity.apiClient?.kind === ApiClientKind.WORKER)
        return fail(res, 403, ErrorCode.FORBIDDEN, "Worker keys take part in the worker protocol only");
      userId = (await ctx.actingUser()).id;
    } catch (e) {
      const code = e instanceof GraphQLError ? String(e.extensions.code) : ErrorCode.UNAUTHENTICATED;
      return fail(res, STATUS[code] ?? 401, code, (e as Error).message);
    }
    let filters: Partial<ChatExportOptions>;
    try {
      filters = parseChatExportQuery(req.query);
    } catch (e) {
      return fail(res, 400, ErrorCode.BAD_USER_INPUT, (e as Error).message);
    }
    res.status(200).type("application/jsonl; charset=utf-8");
    res.setHeader("content-disposition", 'attachment; filename="chats.jsonl"');
    const writer = LineWriter.open(null, res);
    try {
      await new ChatExporter(app.ds, { ...filters, userId, dataUseOnly: false }).run(writer);
      res.end();
    } catch (e) {
      // Headers are gone: cutting the connection is the only way to tell the client the file is incomplete.
      app.log.error({ err: e }, "chat export over HTTP failed");
      res.destroy(e as Error);
    }
  };
}

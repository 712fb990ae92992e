/**
 * `GET /export.jsonl`: the CLI export over HTTP for people who cannot run the CLI. Admin keys of trusted clients only; the CLI's
 * options as query parameters with the same names without the dashes (`?state=all&include-deleted=true`).
 * The body is streamed as it is read, so a large export holds no more memory than the CLI's.
 */
import type { Request, Response } from "express";
import { GraphQLError } from "graphql";
import type { AppServices } from "../../server/services.js";
import { buildContext } from "../../server/context.js";
import { ErrorCode } from "../../common/errors.js";
import { isSystemAdmin } from "../../server/visibility.js";
import { DatasetExporter, DEFAULT_EXPORT_OPTIONS, validateExportOptions, type ExportOptions, type Inclusion } from "./export.service.js";
import { LineWriter } from "./jsonl-stream.js";
import type { RequestContext } from "../../common/request-context.js";

const BOOLEAN_PARAMS = [
  "include-deleted",
  "deleted-only",
  "include-spam",
  "spam-only",
  "include-synthetic",
  "synthetic-only",
  "prompts-only",
  "export-labels",
  "export-events",
] as const;
const VALUE_PARAMS = ["state", "lang", "user", "limit", "anonymizer-seed"] as const;
const KNOWN = new Set<string>([...BOOLEAN_PARAMS, ...VALUE_PARAMS]);

class BadParam extends Error {}

function single(query: Request["query"], name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new BadParam(`${name} must be given once`);
  return v;
}

function flag(query: Request["query"], name: string): boolean {
  const v = single(query, name);
  if (v === undefined) return false;
  if (["", "true", "1", "yes"].includes(v.toLowerCase())) return true;
  if (["false", "0", "no"].includes(v.toLowerCase())) return false;
  throw new BadParam(`${name} must be true or false`);
}

function inclusion(query: Request["query"], what: string): Inclusion {
  const include = flag(query, `include-${what}`);
  const only = flag(query, `${what}-only`);
  if (include && only) throw new BadParam(`include-${what} and ${what}-only cannot be combined`);
  return only ? "only" : include ? "include" : "exclude";
}

export function parseExportQuery(query: Request["query"]): ExportOptions {
  for (const name of Object.keys(query)) if (!KNOWN.has(name)) throw new BadParam(`unknown parameter ${name}`);
  const limit = single(query, "limit");
  const options: ExportOptions = {
    state: single(query, "state") ?? DEFAULT_EXPORT_OPTIONS.state,
    lang: single(query, "lang") ?? null,
    deleted: inclusion(query, "deleted"),
    spam: inclusion(query, "spam"),
    synthetic: inclusion(query, "synthetic"),
    userId: single(query, "user") ?? null,
    promptsOnly: flag(query, "prompts-only"),
    exportLabels: flag(query, "export-labels"),
    exportEvents: flag(query, "export-events"),
    limit: limit === undefined ? null : Number(limit),
    anonymizerSeed: single(query, "anonymizer-seed") ?? null,
  };
  try {
    validateExportOptions(options);
  } catch (e) {
    throw new BadParam((e as Error).message.replace(/--/g, ""));
  }
  return options;
}

function fail(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function exportJsonlHandler(app: AppServices) {
  return async (req: Request, res: Response): Promise<void> => {
    let rc: RequestContext;
    try {
      const ctx = await buildContext(app, {
        authorization: req.header("authorization"),
        apiKey: req.header("x-api-key"),
        requestId: req.header("x-request-id"),
      });
      if (!ctx.identity.apiClient) return fail(res, 401, ErrorCode.UNAUTHENTICATED, "An admin API key is required");
      rc = ctx.request();
    } catch (e) {
      const code = e instanceof GraphQLError ? String(e.extensions.code) : ErrorCode.UNAUTHENTICATED;
      return fail(res, code === ErrorCode.SERVICE_UNAVAILABLE ? 503 : 401, code, (e as Error).message);
    }
    // A full export holds every client's data: an untrusted client may not have it, whatever its role.
    if (!isSystemAdmin(rc.identity.apiClient, rc.role)) return fail(res, 403, ErrorCode.FORBIDDEN, "Exports need an admin key of a trusted client");
    let options: ExportOptions;
    try {
      options = parseExportQuery(req.query);
    } catch (e) {
      if (e instanceof BadParam) return fail(res, 400, ErrorCode.BAD_USER_INPUT, e.message);
      throw e;
    }
    res.status(200).type("application/jsonl; charset=utf-8");
    const writer = LineWriter.open(null, res);
    try {
      await new DatasetExporter(app.ds, options).run(rc, writer);
      res.end();
    } catch (e) {
      // Headers are gone: cutting the connection is the only way to tell the client the file is incomplete.
      rc.log.error({ err: e }, "export over HTTP failed");
      res.destroy(e as Error);
    }
  };
}

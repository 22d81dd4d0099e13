// Fetches one authorizer's users, roles and group mappings from a live Coordinator's basic-security API. The API has
// no whole-database export: it lists names, then answers for one entity per call. Every call is bounded (a timeout
// for the whole call, a cap on the answer's bytes, read as a stream and cut there), and so are the calls together
// (their bytes, and the whole fetch's time) and the number in flight; the first failure stops new calls, and every
// failed call is reported. Callers write nothing unless the
// whole fetch succeeded.
import { type Agent as HttpAgent, type IncomingMessage, Agent as PlainAgent, request as httpRequest } from "node:http";
import { Agent as TlsAgent, request as httpsRequest } from "node:https";
import { MsqAuthzError, asError } from "../errors.js";
import type { CapturedResponse, Endpoint } from "./basic-security.js";

export interface CoordinatorOptions {
  /** The Coordinator's base URL, http or https, possibly with a path prefix (a proxy's). */
  url: string;
  /** The basic authorizer's name (druid.auth.authorizers). */
  authorizer: string;
  /** Basic-auth credentials: a Druid user with READ on CONFIG 'security' (BasicSecurityResourceFilter). */
  credentials?: { user: string; password: string };
  /** PEM certificates to trust for an https URL, instead of the system's. */
  ca?: string;
  /** For each call, from opening the connection to the answer's last byte. */
  timeoutMs: number;
  /** The most bytes one answer may have; a longer one fails its call. */
  maxResponseBytes: number;
  /**
   * The most bytes all answers together may have: the call whose answer passes it fails. With the calls in flight,
   * what the fetch holds stays under this plus `concurrency` times `maxResponseBytes`.
   */
  maxTotalBytes: number;
  /** For the whole fetch: a call still unanswered then fails, and none starts after. */
  totalTimeoutMs: number;
  /** Calls in flight at once. */
  concurrency: number;
}

export interface FailedCall {
  method: "GET";
  /** The URL's path and query. */
  path: string;
  reason: string;
}

/** One or more calls failed: one line each, `GET <path>: <reason>`. */
export class CoordinatorError extends MsqAuthzError {
  constructor(readonly failures: FailedCall[]) {
    super(failures.map(({ method, path, reason }) => `${method} ${path}: ${reason}`).join("\n"));
  }
}

type Call = { ok: true; value: unknown } | { ok: false; failure: FailedCall };

/**
 * Lists users, roles and group mappings, then asks for each role and each group mapping:
 * - roles/{r}?full&simplifyPermissions answers a role's permissions and the users who hold it, so no call per user is
 *   needed (users usually outnumber roles many times over); the users list adds the users who hold no role. The
 *   simple permission shape is the one Druid keeps for the future (it calls the resourceNamePattern shape deprecated).
 *   Plain ?full would add the role's group mappings, which the group mappings' own answers give anyway.
 * - groupMappings/{g}, without ?full: ?full leaves out groupPattern (its getter is not a Jackson property).
 * So 3 + roles + group mappings calls in all.
 */
export async function fetchBasicSecurity(options: CoordinatorOptions): Promise<CapturedResponse[]> {
  const client = new Client(options);
  try {
    const lists = await client.all(
      (["users", "roles", "groupMappings"] as const).map((endpoint) => ({ endpoint, path: endpoint, names: true })),
    );
    const [, roles, groupMappings] = lists.map(({ value }) => value as string[]) as [string[], string[], string[]];
    const entities = await client.all([
      ...roles.map((name) => ({ endpoint: "roles/{r}" as const, path: `roles/${encodeURIComponent(name)}?full&simplifyPermissions`, name })),
      ...groupMappings.map((name) => ({ endpoint: "groupMappings/{g}" as const, path: `groupMappings/${encodeURIComponent(name)}`, name })),
    ]);
    return [...lists, ...entities];
  } finally {
    client.close();
  }
}

interface Planned {
  endpoint: Endpoint;
  /** Relative to db/{authorizer}/. */
  path: string;
  name?: string;
  /** The answer must be a JSON array of names. */
  names?: boolean;
}

class Client {
  private readonly base: URL;
  private readonly prefix: string;
  private readonly agent: HttpAgent;
  private readonly headers: Record<string, string>;
  private readonly deadline: number;
  /** Bytes of the answers read so far. */
  private received = 0;

  constructor(private readonly options: CoordinatorOptions) {
    this.deadline = Date.now() + options.totalTimeoutMs;
    this.base = new URL(options.url);
    this.prefix = `${this.base.pathname.replace(/\/+$/u, "")}/druid-ext/basic-security/authorization/db/${encodeURIComponent(options.authorizer)}/`;
    // Keep-alive: a large database is thousands of small calls to one host.
    const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
    this.agent = this.base.protocol === "https:" ? new TlsAgent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) }) : new PlainAgent(agentOptions);
    const { credentials } = options;
    this.headers = {
      accept: "application/json",
      ...(credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, "utf8").toString("base64")}` } : {}),
    };
  }

  close(): void {
    this.agent.destroy();
  }

  /** Runs the calls, at most `concurrency` at a time, none started after one failed; throws with every failure. */
  async all(planned: Planned[]): Promise<CapturedResponse[]> {
    const results: (CapturedResponse | undefined)[] = [];
    const failures: FailedCall[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (failures.length === 0 && next < planned.length) {
        const index = next;
        next += 1;
        const call = planned[index] as Planned;
        const path = this.prefix + call.path;
        const outcome = await this.get(path);
        if (!outcome.ok) failures.push(outcome.failure);
        else if (call.names && !(Array.isArray(outcome.value) && outcome.value.every((name) => typeof name === "string"))) {
          failures.push({ method: "GET", path, reason: "the answer is not a JSON array of names" });
        } else {
          results[index] = { source: `GET ${path}`, value: outcome.value, endpoint: call.endpoint, ...(call.name === undefined ? {} : { name: call.name }) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, planned.length) }, worker));
    if (failures.length > 0) throw new CoordinatorError(failures);
    return results as CapturedResponse[];
  }

  private get(path: string): Promise<Call> {
    const { timeoutMs, maxResponseBytes, maxTotalBytes, totalTimeoutMs } = this.options;
    const url = new URL(path, this.base);
    const left = this.deadline - Date.now();
    const whole = `the import did not finish within --total-timeout ${totalTimeoutMs / 1000} s`;
    if (left <= 0) return Promise.resolve({ ok: false, failure: { method: "GET", path, reason: whole } });
    return new Promise((resolve) => {
      let settled = false;
      const settle = (call: Call): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(call);
      };
      const fail = (reason: string): void => {
        settle({ ok: false, failure: { method: "GET", path, reason } });
        request.destroy();
      };
      const timer = setTimeout(() => fail(left < timeoutMs ? whole : `no complete answer within ${timeoutMs / 1000} s`), Math.min(timeoutMs, left));
      const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { agent: this.agent, headers: this.headers });
      request.on("error", (error) => fail(describeError(error)));
      request.once("response", (response) => {
        const status = response.statusCode ?? 0;
        const declared = Number(response.headers["content-length"] ?? 0);
        if (status >= 200 && status <= 299 && declared > maxResponseBytes) {
          return fail(`the answer has ${declared} bytes, more than --max-response-bytes ${maxResponseBytes}`);
        }
        // An error's body only explains it: read a little of it, never the whole.
        const limit = status >= 200 && status <= 299 ? maxResponseBytes : Math.min(maxResponseBytes, 64 * 1024);
        readBody(response, limit)
          .then((body) => {
            if (status < 200 || status > 299) return fail(describeStatus(response, body));
            if (body.truncated) return fail(`the answer is larger than --max-response-bytes ${maxResponseBytes}`);
            this.received += body.bytes.length;
            if (this.received > maxTotalBytes) return fail(`the answers so far hold ${this.received} bytes, more than --max-total-bytes ${maxTotalBytes}`);
            try {
              settle({ ok: true, value: JSON.parse(body.bytes.toString("utf8")) as unknown });
            } catch (error) {
              fail(`the answer is not JSON: ${asError(error).message}`);
            }
          })
          .catch((error: unknown) => fail(describeError(asError(error))));
      });
      request.end();
    });
  }
}

/** Reads up to `limit` bytes, and stops reading (destroying the stream) as soon as there are more. */
function readBody(response: IncomingMessage, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
        response.destroy();
        resolve({ bytes: Buffer.concat(chunks), truncated: true });
        return;
      }
      chunks.push(chunk);
    });
    response.once("end", () => {
      ended = true;
      resolve({ bytes: Buffer.concat(chunks), truncated: false });
    });
    response.on("error", reject);
    response.once("close", () => {
      if (!ended) reject(new Error("the connection closed before the answer was complete"));
    });
  });
}

function describeStatus(response: IncomingMessage, body: { bytes: Buffer }): string {
  const status = response.statusCode ?? 0;
  let reason = `HTTP ${status}`;
  // Druid's handler answers its own errors as {"error": "..."} (a 400 for an unknown authorizer, user or role).
  try {
    const parsed = JSON.parse(body.bytes.toString("utf8")) as unknown;
    const error = typeof parsed === "object" && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
    if (typeof error === "string") reason += `: ${oneLine(error)}`;
  } catch {
    // Not Druid's JSON error: the status says enough.
  }
  if (status >= 300 && status <= 399) {
    const location = response.headers.location;
    return `${reason}, to ${location ?? "nowhere"} (not followed: point --from at the leading Coordinator)`;
  }
  if (status === 401) return `${reason} (check MSQ_AUTHZ_DRUID_USER and MSQ_AUTHZ_DRUID_PASSWORD)`;
  if (status === 403) return `${reason} (the user needs READ on CONFIG 'security')`;
  if (status === 404) return `${reason} (not a Coordinator with druid-basic-security loaded?)`;
  return reason;
}

/** Node's TLS codes for a certificate chain that leads to no trusted authority. */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
]);

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const described = oneLine(code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message);
  return code !== undefined && UNTRUSTED.has(code) ? `${described} (--ca FILE trusts the authority that signed it)` : described;
}

const oneLine = (text: string): string => {
  const line = text.replace(/\s+/gu, " ").trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
};

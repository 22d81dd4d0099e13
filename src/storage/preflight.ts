// Durable storage and export preflight (R9, F9): IAM policies judged against what MSQ really calls, by the
// msq/storage/preflight entrypoint of the same bundle.
import { type PolicyBundle, loadBundle } from "../bundle/load.js";
import { WasmPolicy, entrypoints } from "../policy/wasm-policy.js";
import { ConfigError } from "../errors.js";
import { checkSettings } from "../settings.js";

export type Process = "indexer" | "overlord" | "broker";

export interface StorageCheck {
  process: Process;
  purpose: string;
  rule: "R9" | "F9";
  action: string;
  resource: string;
  context: Record<string, string>;
  result: "allowed" | "explicit_deny" | "implicit_deny" | "unknown";
  statements: string[];
}

export interface StoragePreflight {
  ok: boolean;
  checks: StorageCheck[];
  missing: StorageCheck[];
  excess: { statement: string; action: string; resource: string; reason: string }[];
  leastPrivilegePolicy: { Version: string; Statement: unknown[] };
  checklists: Record<string, { permission: string; rule: string; processes: string[]; scope: string; source: string }[]>;
  reasons: string[];
}

export interface StoragePreflightRequest {
  /** Druid settings by property name (druid.msq.intermediate.storage.*, druid.export.storage.*). */
  settings: unknown;
  /** IAM policy documents. */
  policies: unknown[];
  /** Narrow the check to these processes (default: every process the settings make relevant). */
  processes?: Process[];
}

export async function checkStorage(
  request: StoragePreflightRequest,
  bundle: string | PolicyBundle | undefined = undefined,
): Promise<StoragePreflight> {
  const settings = checkSettings(request.settings);
  request.policies.forEach((policy, index) => {
    if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
      throw new ConfigError(`IAM policy ${index + 1} is not a JSON object`);
    }
    // A grants file or any other JSON passed by mistake must not be judged as a policy that allows nothing.
    if (!("Statement" in policy)) {
      const looksLike = "roles" in policy || "users" in policy ? " (it looks like msq-authz grants)" : "";
      throw new ConfigError(`IAM policy ${index + 1} has no Statement: it is not an IAM policy document${looksLike}`);
    }
  });
  const loaded = typeof bundle === "object" ? bundle : await loadBundle(bundle);
  const policy = await WasmPolicy.load(loaded, {}, {});
  return policy.evaluate<StoragePreflight>(entrypoints.preflight, {
    settings,
    policies: request.policies,
    ...(request.processes ? { processes: request.processes } : {}),
  });
}

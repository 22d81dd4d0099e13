// The Rego policy compiled to WebAssembly, evaluated in-process with opa-wasm.
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type { PolicyBundle } from "../bundle/load.js";
import { BundleError, EngineError, asError } from "../errors.js";
import { grantIndex, grantPatterns } from "../grants.js";
import type { Grants, Settings } from "../types.js";

export const entrypoints = {
  decision: "msq/authz/decision",
  required: "msq/authz/required",
  finalize: "msq/authz/finalize",
  shape: "msq/authz/shape",
  caller: "msq/authz/caller",
  preflight: "msq/storage/preflight",
  druidAllow: "msq/druid/allow",
  druidPlan: "msq/druid/plan",
} as const;

type Entrypoint = (typeof entrypoints)[keyof typeof entrypoints];

/** Who matches grants: the policy (msq/authz/decision, msq/druid/allow) or the host (the plan entrypoints). */
export type Matching = "policy" | "host";

/** opa-wasm's memory grows on demand up to this ceiling, then evaluation fails closed (opa_malloc fails). */
export const DEFAULT_MEMORY_MIB = 256;
const PAGE_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const INITIAL_PAGES = 32;

export class WasmPolicy {
  private constructor(
    private readonly policy: LoadedPolicy,
    readonly revision: string,
    private readonly bundleData: Record<string, unknown>,
    private readonly memoryMiB: number,
  ) {}

  static async load(
    bundle: PolicyBundle,
    grants: Grants,
    settings: Settings,
    memoryMiB = DEFAULT_MEMORY_MIB,
    matching: Matching = "policy",
  ): Promise<WasmPolicy> {
    const maximum = Math.floor((memoryMiB * 1024 * 1024) / PAGE_BYTES);
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(bundle.wasm, { initial: Math.min(INITIAL_PAGES, maximum), maximum });
    } catch (thrown) {
      throw new BundleError(`bundle ${bundle.source}: policy.wasm does not load: ${asError(thrown).message}`, {
        cause: asError(thrown),
      });
    }
    const available = Object.keys(policy.entrypoints as Record<string, number>);
    const absent = Object.values(entrypoints).filter((entrypoint) => !available.includes(entrypoint));
    if (absent.length > 0) {
      throw new BundleError(`bundle ${bundle.source} lacks the entrypoints ${absent.join(", ")}`);
    }
    const loaded = new WasmPolicy(policy, bundle.manifest.revision, bundle.data, memoryMiB);
    loaded.setGrants(grants, settings, matching);
    return loaded;
  }

  /**
   * Replaces the grants and settings the policy decides with (checked ones: see checkGrants, checkSettings). With
   * `matching` "host" the policy gets only what it needs to name a caller's roles (users, group mappings): the host
   * matches the checks itself (src/grants/indexed.ts), so the permissions, their index and their translations stay
   * out of the WASM memory, and a large grant set loads in a fraction of the time.
   */
  setGrants(grants: Grants, settings: Settings, matching: Matching = "policy"): void {
    try {
      const users = { users: grants.users ?? {}, groupMappings: grants.groupMappings ?? {} };
      // With the index, the policy reads the roles from it; leaving them out of data.grants halves what opa-wasm
      // parses when a large grant set loads. The policy matches patterns only through their RE2 translations.
      const matched = matching === "host" ? {} : { grant_index: grantIndex(grants), grant_patterns: grantPatterns(grants) };
      this.policy.setData({ ...this.bundleData, grants: users, ...matched, settings });
    } catch (thrown) {
      throw new EngineError(`cannot load grants and settings into the policy: ${asError(thrown).message}`, {
        cause: asError(thrown),
      });
    }
  }

  /** `input` as a value, or as its JSON text already written (opa-wasm then does not write it again). */
  evaluate<T>(entrypoint: Entrypoint, input: unknown, json?: string): T {
    let resultSet: unknown;
    try {
      const given = json === undefined ? input : (encoder.encode(json).buffer as ArrayBuffer);
      resultSet = this.policy.evaluate(given, entrypoint);
    } catch (thrown) {
      const { message } = asError(thrown);
      const why = message.startsWith("opa_malloc") ? `out of memory at the ${this.memoryMiB} MiB ceiling (${message})` : message;
      throw new EngineError(`policy evaluation failed at ${entrypoint}: ${why}`, { cause: asError(thrown) });
    }
    const first = Array.isArray(resultSet) ? (resultSet[0] as { result?: T } | undefined) : undefined;
    if (first?.result === undefined) {
      // The entrypoints have defaults, so an undefined result can only be a bug in the policy.
      throw new EngineError(`${entrypoint} is undefined for this input`);
    }
    return first.result;
  }
}

// The public API: the decision point and what a host needs around it. Everything else is internal.
export {
  DEFAULT_DECISION_CACHE_BYTES,
  MAX_REQUEST_BYTES,
  createDecisionPoint,
  type BuiltinEngine,
  type CacheSize,
  type DecisionPoint,
  type DecisionPointOptions,
} from "./decision-point.js";
export { createDecisionPool, type DecisionPool, type PoolOptions } from "./pool/decision-pool.js";
export { policyInput, type PolicyInput } from "./policy-input.js";
export { entrypoints } from "./policy/wasm-policy.js";
export { type Evidence, type GrantMatch, type GrantMatcher, type Plan, type ResourceCheck } from "./grants/matcher.js";
export { CasbinGrantMatcher, createCasbinEnforcer, casbinModelPath, fullMatchFunction } from "./grants/casbin.js";
export { checkGrants, grantPatterns } from "./grants.js";
export { translateJavaPattern, type JavaPatternRefusal, type JavaPatternTranslation } from "./grants/java-pattern.js";
export { checkSettings, settingsFromProperties } from "./settings.js";
export { loadBundle, type PolicyBundle, type Manifest, type LoadOptions } from "./bundle/load.js";
export { verifyBundle, type VerificationOptions, type SigningAlgorithm } from "./bundle/verify.js";
export { BundleSource, type BundleSourceOptions, type BundleStatus, type DownloadTimeouts } from "./bundle/source.js";
export { followBundles } from "./bundle/follow.js";
export { buildServer, type ServerOptions } from "./server/app.js";
export { analyzeSql, type SqlParameter } from "./sql/analyze.js";
export { checkStorage, type StoragePreflight, type StoragePreflightRequest, type StorageCheck } from "./storage/preflight.js";
export { audit, type AuditReport } from "./audit/audit.js";
export { importBasicSecurity } from "./import/basic-security.js";
export { decisionSchema, grantsSchema, requestSchema, reviewSchema, settingsSchema } from "./schemas/validate.js";
export { BundleError, ConfigError, EngineError, MsqAuthzError } from "./errors.js";
export { SqlAnalysisError } from "./sql/errors.js";
export type * from "./types.js";

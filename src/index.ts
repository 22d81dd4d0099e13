export {
  DEFAULT_DECISION_CACHE_BYTES,
  MAX_REQUEST_BYTES,
  createDecisionPoint,
  type CacheSize,
  type DecisionPoint,
  type DecisionPointOptions,
} from "./decision-point.js";
export { loadBundle, readBundleFiles, defaultBundlePath, type PolicyBundle, type Manifest, type LoadOptions } from "./bundle/load.js";
export { verifyBundle, hashFile, type VerificationOptions, type SigningAlgorithm } from "./bundle/verify.js";
export { BundleSource, DEFAULT_DOWNLOAD_TIMEOUTS, type BundleSourceOptions, type BundleStatus, type DownloadTimeouts } from "./bundle/source.js";
export { followBundles } from "./bundle/follow.js";
export { grantsToCasbinPolicy, createCasbinEnforcer, casbinModelPath, fullMatchFunction } from "./engines/casbin.js";
export { audit, type AuditReport } from "./audit/audit.js";
export { importBasicSecurity } from "./import/basic-security.js";
export { buildServer, type ServerOptions } from "./server/app.js";
export { entrypoints } from "./engines/wasm.js";
export { checkGrants, grantPatterns } from "./grants.js";
export { translateJavaPattern, type JavaPatternRefusal, type JavaPatternTranslation } from "./grants/java-pattern.js";
export { checkStorage, type StoragePreflight, type StoragePreflightRequest, type StorageCheck } from "./storage/preflight.js";
export { policyInput, type PolicyInput } from "./policy-input.js";
export { analyzeSql, type SqlParameter } from "./sql/analyze.js";
export { SqlAnalysisError } from "./sql/errors.js";
export { checkSettings, settingsFromProperties } from "./settings.js";
export {
  decisionSchema,
  grantsSchema,
  requestSchema,
  settingsSchema,
  validateDecision,
  validateGrants,
  validateRequest,
  validateSettings,
} from "./schemas/validate.js";
export { BundleError, ConfigError, EngineError, MsqAuthzError } from "./errors.js";
export type * from "./types.js";

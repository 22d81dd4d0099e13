// Schemas are compiled once, in ajv's strict mode, when this module loads.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import decisionSchema from "./decision.schema.json" with { type: "json" };
import grantsSchema from "./grants.schema.json" with { type: "json" };
import requestSchema from "./request.schema.json" with { type: "json" };
import reviewSchema from "./review.schema.json" with { type: "json" };
import settingsSchema from "./settings.schema.json" with { type: "json" };
import type { Decision, DecisionRequest, Grants, ReviewFile, Settings, Statement } from "../types.js";

export { decisionSchema, grantsSchema, requestSchema, reviewSchema, settingsSchema };

// strictRequired is off only because if/then subschemas name fields that the outer schema defines.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false, allowUnionTypes: true });

// The request schema first: the review schema refers to its definitions by $id.
export const validateRequest = ajv.compile(requestSchema) as ValidateFunction<DecisionRequest>;
export const validateGrants = ajv.compile(grantsSchema) as ValidateFunction<Grants>;
export const validateSettings = ajv.compile(settingsSchema) as ValidateFunction<Settings>;
export const validateDecision = ajv.compile(decisionSchema) as ValidateFunction<Decision>;
export const validateReview = ajv.compile(reviewSchema) as ValidateFunction<ReviewFile>;
/** The request schema's statement alone: what analyzed SQL is held to, without checking the request again. */
export const validateStatement = ajv.getSchema(`${requestSchema.$id}#/$defs/statement`) as ValidateFunction<Statement>;

/** One line per schema error: the JSON pointer of the offending value (below `base`) and what is wrong with it. */
export function describeErrors(errors: ErrorObject[] | null | undefined, base = ""): string[] {
  const all = errors ?? [];
  // An anyOf reports each branch's failure, then its own: say once which fields would do.
  const branch = (error: ErrorObject): boolean => error.keyword === "required" && error.schemaPath.includes("/anyOf/");
  const lines = all.filter((error) => !branch(error)).map((error) => {
    const alternatives = all.filter((other) => branch(other) && other.instancePath === error.instancePath);
    if (error.keyword === "anyOf" && alternatives.length > 0) {
      const fields = alternatives.map((other) => `'${String(other.params.missingProperty)}'`).join(" or ");
      return `${pointer(error, base)}: missing field ${fields}`;
    }
    return describeError(error, base);
  });
  return [...new Set(lines)];
}

/** Where the error is, as a JSON pointer into the value validated, itself at `base` in what the caller was sent. */
const pointer = (error: ErrorObject, base: string): string => `${base}${error.instancePath}` || "/";

function describeError(error: ErrorObject, base: string): string {
  const at = pointer(error, base);
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) return `${at}: key '${error.propertyName}' is not allowed`;
  switch (error.keyword) {
    case "propertyNames":
      return `${at}: key '${String(params.propertyName)}' is not allowed`;
    case "additionalProperties":
      return `${at}: unknown field '${String(params.additionalProperty)}'`;
    case "required":
      return `${at}: missing field '${String(params.missingProperty)}'`;
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return `${at}: ${error.message ?? "invalid"} (${allowed})`;
    }
    default:
      return `${at}: ${error.message ?? "invalid"}`;
  }
}

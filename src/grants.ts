// Grants are checked once when they are loaded, as Druid checks permissions when they are set: a name pattern that
// does not compile is rejected then, not discovered as a silent non-match during a decision.
import { RE2JS } from "re2js";
import { ConfigError } from "./errors.js";
import { describeErrors, validateGrants } from "./schemas/validate.js";
import type { Grants } from "./types.js";

export function checkGrants(value: unknown, source = "grants"): Grants {
  if (!validateGrants(value)) {
    throw new ConfigError(`${source}: ${describeErrors(validateGrants.errors).join("; ")}`);
  }
  for (const [role, { permissions }] of Object.entries(value.roles ?? {})) {
    permissions.forEach((permission, index) => {
      try {
        RE2JS.compile(permission.resource.name);
      } catch (cause) {
        throw new ConfigError(
          `${source}: /roles/${role}/permissions/${index}/resource/name: resource name regex does not compile ` +
            `(${permission.resource.name})`,
          { cause },
        );
      }
    });
  }
  return value;
}

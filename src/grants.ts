// Grants are checked once when they are loaded, as Druid checks permissions when they are set: a name pattern that
// does not compile is rejected then, not discovered as a silent non-match during a decision.
import { RE2JS } from "re2js";
import { ConfigError } from "./errors.js";
import { describeErrors, validateGrants } from "./schemas/validate.js";
import type { Grants } from "./types.js";

// A name without regex metacharacters is a literal: valid in every dialect, so it needs no compiling.
const metacharacters = /[\\^$.|?*+()[\]{}]/u;

export function checkGrants(value: unknown, source = "grants"): Grants {
  if (!validateGrants(value)) {
    throw new ConfigError(`${source}: ${describeErrors(validateGrants.errors).join("; ")}`);
  }
  const valid = new Set<string>();
  for (const [role, { permissions }] of Object.entries(value.roles ?? {})) {
    permissions.forEach((permission, index) => {
      const pattern = permission.resource.name;
      if (valid.has(pattern) || !metacharacters.test(pattern)) return;
      try {
        RE2JS.compile(pattern);
        valid.add(pattern);
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

# METADATA
# title: The rules packages of the decision
# description: |
#   Generated from the folders under policies/rego/msq/rules/ by scripts/generate-wiring.mjs: do not edit;
#   `make generate` rebuilds it and `make lint` fails when it is stale. Each package's sets are gathered through
#   an array: union({...}) builds a set of sets, whose members opa-wasm compares as it sorts them.
package msq.authz.rules

import data.msq.rules.authn
import data.msq.rules.catalog
import data.msq.rules.context
import data.msq.rules.datasource
import data.msq.rules.export
import data.msq.rules.extern
import data.msq.rules.statements
import data.msq.rules.tasks

required contains item if {
	some each in [
		catalog.required, context.required, datasource.required, export.required, extern.required, statements.required,
		tasks.required,
	]
	some item in each
}

outcomes contains item if {
	some each in [
		authn.outcomes, catalog.outcomes, context.outcomes, datasource.outcomes, export.outcomes, extern.outcomes,
		statements.outcomes, tasks.outcomes,
	]
	some item in each
}

notes contains item if {
	some each in [
		authn.notes, catalog.notes, statements.notes, tasks.notes,
	]
	some item in each
}

listings contains item if {
	some item in tasks.listings
}

warnings contains item if {
	some item in export.warnings
}

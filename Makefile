# msq-authz: every target is idempotent and works on a fresh clone with Go, Node.js 20 and npm.
OPA_VERSION ?= v1.22.2
# Regal is pinned in tools/go.mod (built from there: the module proxy serves no version list for it).
COVERAGE_THRESHOLD ?= 90

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TOOLS := $(CURDIR)/.tools
OPA := $(TOOLS)/bin/opa
REGAL := $(TOOLS)/bin/regal
REGO := policies/rego
CAPABILITIES := policies/capabilities.json
BUNDLE := bundles/msq-authz
BUILD := .build
NODE_BIN := node_modules/.bin
CLI := node dist/cli/main.js

.PHONY: all tools deps java generate build lint check test test-rego test-ts soak-short bundle bundle-check demo fuzz bench soak clean

all: build bundle

tools: $(TOOLS)/opa-$(OPA_VERSION).stamp $(TOOLS)/regal.stamp

$(TOOLS)/opa-$(OPA_VERSION).stamp:
	mkdir -p $(TOOLS)/bin
	GOBIN=$(TOOLS)/bin go install github.com/open-policy-agent/opa@$(OPA_VERSION)
	touch $@

$(TOOLS)/regal.stamp: tools/go.mod tools/go.sum
	mkdir -p $(TOOLS)/bin
	cd tools && go build -o $(REGAL) github.com/open-policy-agent/regal
	touch $@

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The differential tests' oracles: the JDK, and Debian's Jackson for test/oracle/JacksonOracle.java.
JACKSON_JAR := /usr/share/java/jackson-databind.jar

java:
	@command -v javac >/dev/null || { apt-get update -qq && apt-get install -y default-jdk-headless; }
	@test -f $(JACKSON_JAR) || { apt-get update -qq && apt-get install -y libjackson2-databind-java; }

# Generated files: the contract's TypeScript types from the JSON Schemas (src/schemas), which are the authority,
# and the wiring of the rules packages into the decision (policies/rego/msq/authz/rules) from the rules folders.
generate: deps
	node scripts/generate-types.mjs
	node scripts/generate-wiring.mjs

build: deps
	$(NODE_BIN)/tsc -p tsconfig.build.json
	node scripts/copy-assets.mjs

lint: tools deps
	@test -z "$$($(OPA) fmt --list $(REGO))" || { echo "opa fmt: run '$(OPA) fmt -w $(REGO)'"; $(OPA) fmt --list $(REGO); exit 1; }
	$(OPA) check --strict --capabilities $(CAPABILITIES) $(REGO)
	$(REGAL) lint $(REGO)
	node scripts/generate-types.mjs --check
	node scripts/generate-wiring.mjs --check
	node bench/readme-table.mjs --check
	$(NODE_BIN)/tsc -p tsconfig.json --noEmit

test-rego: tools
	mkdir -p $(BUILD)
	$(OPA) test $(REGO)
	$(OPA) test $(REGO) --coverage --threshold $(COVERAGE_THRESHOLD) > $(BUILD)/coverage.json
	@node -e 'const c=require("./$(BUILD)/coverage.json"); console.log("rego coverage: " + c.coverage.toFixed(2) + "% (threshold $(COVERAGE_THRESHOLD)%)")'

# The bundle is built as `msq-authz bundle build` builds one (src/bundle/build.ts): the same sources give the same
# archive, byte for byte, and its revision is a hash of what it is built from. OPA names the archive's entries from
# the bundle root ("/data.json"); the bundle loader unpacks them (tar would warn about the leading "/").
define UNPACK_BUNDLE
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readBundleFiles } from "./dist/bundle/load.js";
const [archive, dir] = process.argv.slice(1);
for (const [name, content] of await readBundleFiles(archive)) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), content);
}
endef
export UNPACK_BUNDLE
UNPACK := node --input-type=module -e "$$UNPACK_BUNDLE"
REVISION_OF = node -p 'JSON.parse(require("fs").readFileSync("$(1)/.manifest", "utf8")).revision'

bundle: tools build
	mkdir -p $(BUILD)
	$(CLI) bundle build --output $(BUILD)/bundle.tar.gz
	rm -rf $(BUNDLE)
	$(UNPACK) $(BUILD)/bundle.tar.gz $(BUNDLE)
	@echo "built $(BUNDLE) at revision $$($(call REVISION_OF,$(BUNDLE)))"

# The committed bundle must be exactly what the sources build.
bundle-check: tools build
	mkdir -p $(BUILD) && rm -rf $(BUILD)/bundle-check
	$(CLI) bundle build --output $(BUILD)/bundle-check.tar.gz
	$(UNPACK) $(BUILD)/bundle-check.tar.gz $(BUILD)/bundle-check
	@diff -r $(BUNDLE) $(BUILD)/bundle-check || { echo "bundles/ is stale: run 'make bundle' and commit it"; exit 1; }
	@echo "bundle up to date at revision $$($(call REVISION_OF,$(BUNDLE)))"

test-ts: build java
	$(NODE_BIN)/vitest run

# The 60 s soak runs after vitest, alone: its load and its p99 must not share the CPU with other tests.
soak-short: tools build
	mkdir -p $(BUILD)
	node bench/soak.mjs --duration 60 --swap-every 10 --calibrate 10 --out $(BUILD)/soak-60s.json

test: lint test-rego bundle-check test-ts soak-short

# The loop a change is made in (well under a minute): lint, the Rego tests, and vitest's fast project (every case
# through both engines, the readers, the CLI in-process). `make test` runs everything.
check: lint test-rego
	$(NODE_BIN)/vitest run --project fast

# `decide --batch` prints one decision per line and nothing else, for machines; the demo puts a "# N who operation:
# what" line naming the request (line N of the input) above each decision.
define LABEL_DECISIONS
const fs = require("fs");
const requests = fs.readFileSync(process.argv[1], "utf8").split("\n");
const decisions = fs.readFileSync(0, "utf8").split("\n").filter((line) => line !== "");
const names = (items) => items.map((item) => item.name ?? item).join(", ");
decisions.forEach((decision, i) => {
  let request;
  try {
    request = JSON.parse(requests[i]);
  } catch {
    request = undefined;
  }
  let label = "not a JSON request: " + requests[i];
  if (request && typeof request === "object") {
    const { identity = {}, operation, statement: s, task: t, tasks, context } = request;
    const parts = [];
    if (s) {
      parts.push(s.type + (s.target ? " into " + s.target : ""));
      if (s.reads) parts.push("reads " + names(s.reads));
      if (s.external) parts.push("EXTERN " + names(s.external));
      if (s.tableFunctions) parts.push("table functions " + names(s.tableFunctions));
      if (s.exportDestination) parts.push("export to " + s.exportDestination);
      if (s.set) parts.push("SET " + Object.keys(s.set).join(", "));
    }
    if (t) parts.push("task " + t.id + (t.datasource ? " on " + t.datasource : "") + (t.user ? " by " + t.user : ""));
    if (tasks) parts.push(tasks.length + " tasks");
    if (context) parts.push("context " + Object.keys(context).join(", "));
    label = (identity.authenticated ? identity.user : "anonymous") + " " + operation + (parts.length > 0 ? ": " + parts.join("; ") : "");
  }
  console.log("# " + (i + 1) + " " + label);
  console.log(decision);
});
endef
export LABEL_DECISIONS
LABEL := node -e "$$LABEL_DECISIONS"

demo: build
	@echo "== msq-authz decide --batch examples/requests.jsonl (one decision per request, under the request it answers) =="
	$(CLI) decide --batch examples/requests.jsonl --grants examples/grants.json --config examples/settings.json \
		| $(LABEL) examples/requests.jsonl
	@echo
	@echo "== the same with input-source security and context-key checks on (examples/settings-hardened.json) =="
	$(CLI) decide --batch examples/requests-hardened.jsonl --grants examples/grants.json \
		--config examples/settings-hardened.json | $(LABEL) examples/requests-hardened.jsonl
	@echo
	@echo "== msq-authz explain examples/explain-request.json =="
	$(CLI) explain --request examples/explain-request.json --grants examples/grants.json --config examples/settings.json
	@echo
	@echo "== msq-authz review examples/reviews/*.yaml =="
	$(CLI) review examples/reviews/*.yaml

# Fuzzing at scale: 100,000 generated and mutated SQL statements per property (make test runs 3,000),
# 1,000,000 generated requests decided by WASM, Casbin and OPA's Go evaluator (make test runs 20,000; about an hour),
# 200,000 generated input-source JSON texts read by src/json/druid-json.ts and by Jackson (make test runs 5,000),
# 100,000 generated grant patterns matched by the JDK and by msq-authz's engines (make test runs 4,000), and 20,000
# generated grant sets whose whole-query decisions must agree with Druid's per-check msq/druid/allow (make test: 1,000).
fuzz: tools build java
	FUZZ_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/sql-property.test.ts
	DIFF_RUNS=1000000 $(NODE_BIN)/vitest run --testTimeout=0 test/differential.test.ts
	HOSTILE_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/hostile-input.test.ts
	DRUID_JSON_RUNS=200000 $(NODE_BIN)/vitest run --testTimeout=0 test/druid-json.test.ts
	JAVA_PATTERN_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/java-pattern.test.ts
	DRUID_PROPERTY_RUNS=20000 $(NODE_BIN)/vitest run --testTimeout=0 test/druid-authorizer-property.test.ts

# Every figure issue 16 sets a goal for, with its baselines, in one run (bench/run.mjs lists the variables that
# shorten it); writes bench/results/latest.json and regenerates the README's Performance block and chart from it.
bench: tools build
	node bench/run.mjs

# Ten minutes of serve at 70% of its measured maximum, a new bundle revision every 30 s (bench/soak.mjs says what
# passes); writes bench/results/soak.json.
soak: tools build
	node bench/soak.mjs --duration 600 --swap-every 30

clean:
	rm -rf dist $(BUILD)

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
# The revision names the policy content: the same sources always build the same bundle.
REVISION = $(shell { find $(REGO) -name '*.rego' ! -name '*_test.rego' | LC_ALL=C sort | xargs sha256sum; \
	sha256sum $(CAPABILITIES); } | sha256sum | cut -c1-16)

.PHONY: all tools deps java generate build lint test test-rego test-ts soak-short bundle bundle-check demo fuzz bench soak clean

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

# The contract's TypeScript types, generated from the JSON Schemas (src/schemas), which are the authority.
generate: deps
	node scripts/generate-types.mjs

build: deps
	$(NODE_BIN)/tsc -p tsconfig.build.json
	node scripts/copy-assets.mjs

lint: tools deps
	@test -z "$$($(OPA) fmt --list $(REGO))" || { echo "opa fmt: run '$(OPA) fmt -w $(REGO)'"; $(OPA) fmt --list $(REGO); exit 1; }
	$(OPA) check --strict --capabilities $(CAPABILITIES) $(REGO)
	$(REGAL) lint $(REGO)
	node scripts/generate-types.mjs --check
	$(NODE_BIN)/tsc -p tsconfig.json --noEmit

test-rego: tools
	mkdir -p $(BUILD)
	$(OPA) test $(REGO)
	$(OPA) test $(REGO) --coverage --threshold $(COVERAGE_THRESHOLD) > $(BUILD)/coverage.json
	@node -e 'const c=require("./$(BUILD)/coverage.json"); console.log("rego coverage: " + c.coverage.toFixed(2) + "% (threshold $(COVERAGE_THRESHOLD)%)")'

bundle: tools
	mkdir -p $(BUILD)
	$(OPA) build -t wasm --capabilities $(CAPABILITIES) --revision $(REVISION) --ignore '*_test.rego' \
		-o $(BUILD)/bundle.tar.gz $(REGO)
	rm -rf $(BUNDLE) && mkdir -p $(BUNDLE)
	tar -xzf $(BUILD)/bundle.tar.gz -C $(BUNDLE)
	@echo "built $(BUNDLE) at revision $(REVISION)"

# The committed bundle must be exactly what the sources build (contents, not archive timestamps).
bundle-check: tools
	rm -rf $(BUILD)/bundle-check && mkdir -p $(BUILD)/bundle-check
	$(OPA) build -t wasm --capabilities $(CAPABILITIES) --revision $(REVISION) --ignore '*_test.rego' \
		-o $(BUILD)/bundle-check.tar.gz $(REGO)
	tar -xzf $(BUILD)/bundle-check.tar.gz -C $(BUILD)/bundle-check
	@diff -r $(BUNDLE) $(BUILD)/bundle-check || { echo "bundles/ is stale: run 'make bundle' and commit it"; exit 1; }
	@echo "bundle up to date at revision $(REVISION)"

test-ts: build java
	$(NODE_BIN)/vitest run

# The 60 s soak runs after vitest, alone: its load and its p99 must not share the CPU with other tests.
soak-short: tools build
	mkdir -p $(BUILD)
	node bench/soak.mjs --duration 60 --swap-every 10 --calibrate 10 --out $(BUILD)/soak-60s.json

test: lint test-rego bundle-check test-ts soak-short

demo: build
	@echo "== msq-authz decide --batch examples/requests.jsonl (one decision per request) =="
	$(CLI) decide --batch examples/requests.jsonl --grants examples/grants.json --config examples/settings.json
	@echo
	@echo "== the same with input-source security and context-key checks on (examples/settings-hardened.json) =="
	$(CLI) decide --batch examples/requests-hardened.jsonl --grants examples/grants.json \
		--config examples/settings-hardened.json
	@echo
	@echo "== msq-authz explain examples/explain-request.json =="
	$(CLI) explain --request examples/explain-request.json --grants examples/grants.json --config examples/settings.json
	@echo
	@echo "== msq-authz review examples/reviews/*.yaml =="
	$(CLI) review examples/reviews/*.yaml

# Fuzzing at scale: 100,000 generated and mutated SQL statements per property (make test runs 3,000),
# 1,000,000 generated requests decided by WASM, Casbin and OPA's Go evaluator (make test runs 20,000; about an hour),
# 200,000 generated input-source JSON texts read by src/json/druid-json.ts and by Jackson (make test runs 5,000),
# and 100,000 generated grant patterns matched by the JDK and by msq-authz's engines (make test runs 4,000).
fuzz: tools build java
	FUZZ_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/sql-property.test.ts
	DIFF_RUNS=1000000 $(NODE_BIN)/vitest run --testTimeout=0 test/differential.test.ts
	HOSTILE_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/hostile-input.test.ts
	DRUID_JSON_RUNS=200000 $(NODE_BIN)/vitest run --testTimeout=0 test/druid-json.test.ts
	JAVA_PATTERN_RUNS=100000 $(NODE_BIN)/vitest run --testTimeout=0 test/java-pattern.test.ts

bench: tools build
	node bench/run.mjs
	node bench/serve.mjs

# Ten minutes of serve at 70% of its measured maximum, a new bundle revision every 30 s (bench/soak.mjs says what
# passes); writes bench/results/soak.json.
soak: tools build
	node bench/soak.mjs --duration 600 --swap-every 30

clean:
	rm -rf dist $(BUILD)

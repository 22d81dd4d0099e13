//go:build tools

// Package tools pins the Go tools the Makefile installs (Regal, the Rego linter).
package tools

import _ "github.com/open-policy-agent/regal"

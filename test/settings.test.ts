import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.js";
import { checkSettings, settingsFromProperties } from "../src/settings.js";
import { pointFor } from "./support.js";

describe("settingsFromProperties", () => {
  it("keeps the properties that matter for authorization, as Druid would read them", () => {
    const text = [
      "# a real runtime.properties holds much more",
      "druid.host=broker.example.com",
      "druid.auth.enableInputSourceSecurity=true",
      "druid.auth.authorizeQueryContextParams = false",
      'druid.auth.unsecuredContextKeys=["maxNumTasks", "priority"]',
      'druid.extensions.loadList=["druid-basic-security", \\',
      '    "druid-multi-stage-query"]',
      "druid.query.default.context.priority=5",
      "druid.msq.intermediate.storage.enable=true",
      "druid.msq.intermediate.storage.bucket=shuffle",
    ].join("\n");
    expect(settingsFromProperties(text)).toEqual({
      "druid.auth.enableInputSourceSecurity": "true",
      "druid.auth.authorizeQueryContextParams": "false",
      "druid.auth.unsecuredContextKeys": ["maxNumTasks", "priority"],
      "druid.extensions.loadList": ["druid-basic-security", "druid-multi-stage-query"],
      "druid.query.default.context.priority": "5",
      "druid.msq.intermediate.storage.enable": "true",
      "druid.msq.intermediate.storage.bucket": "shuffle",
    });
  });

  it("refuses a list property that is not a JSON array, naming it", () => {
    expect(() => settingsFromProperties("druid.auth.securedContextKeys=a,b", "prod.properties")).toThrow(
      new ConfigError("prod.properties: druid.auth.securedContextKeys must be a JSON array such as [\"a\",\"b\"], not a,b"),
    );
  });

  it("refuses a switch that is neither true nor false", () => {
    expect(() => settingsFromProperties("druid.auth.enableInputSourceSecurity=yes")).toThrow(ConfigError);
    expect(() => settingsFromProperties("druid.auth.enableInputSourceSecurity=tRUE")).toThrow(ConfigError);
  });

  it.each(["True", "TRUE", "true ", "true\t"])("takes %j as true, as Druid's Jackson reads it, and the policy follows", async (value) => {
    const settings = settingsFromProperties(`druid.auth.enableInputSourceSecurity=${value}\ndruidVersion=35.0.0`);
    const point = await pointFor("wasm", {}, settings);
    const decision = await point.decide({
      identity: { authenticated: true, user: "alice" },
      operation: "sql.task.submit",
      statement: { type: "SELECT", external: ["http"] },
    });
    expect(decision.required).toEqual([{ type: "EXTERNAL", name: "http", action: "READ" }]);
  });
});

describe("checkSettings", () => {
  it("accepts Druid's property names, druidVersion and msq-authz's own switch", () => {
    const settings = {
      druidVersion: "36.0.0-SNAPSHOT",
      "druid.auth.enableInputSourceSecurity": true,
      "druid.auth.securedContextKeys": [],
      "msqAuthz.taskCancelRequires": "READ",
    };
    expect(checkSettings(settings)).toBe(settings);
    expect(checkSettings({ druidVersion: "0.23.0" })).toEqual({ druidVersion: "0.23.0" });
  });

  it.each([
    [{ "druid.auth.enableInputSouceSecurity": true }, "config.json: /: unknown field 'druid.auth.enableInputSouceSecurity'"],
    [{ druidVersion: "latest" }, 'config.json: /druidVersion: must match pattern "^(0\\.)?[0-9]{1,3}\\.[0-9]{1,3}(\\.[0-9]{1,3})?(-[A-Za-z0-9.]+)?$"'],
    [{ "msqAuthz.taskCancelRequires": "DELETE" }, 'config.json: /msqAuthz.taskCancelRequires: must be equal to one of the allowed values ("READ", "WRITE")'],
  ])("refuses %j", (settings, message) => {
    expect(() => checkSettings(settings, "config.json")).toThrow(new ConfigError(message));
  });
});

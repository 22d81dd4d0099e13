// msq-authz explain: decide one request and say why, for a person.
import { readDruidJson } from "../../json/druid-json.js";
import { type Command, painter, wantsColor, write } from "../command.js";
import { explain as render } from "../explain.js";
import { decisionPoint, policyOptions } from "../inputs.js";
import { requestOptions, requestText } from "./decide.js";

export const explain: Command = {
  name: "explain",
  summary: "decide one request and explain it: what was required, what granted it, what is missing and why",
  synopsis: "[--request FILE | --sql SQL --user NAME] [options]",
  description: "Colour on a terminal; NO_COLOR turns it off, FORCE_COLOR on.",
  options: [...requestOptions, ...policyOptions],
  examples: [
    "msq-authz explain --sql \"INSERT INTO wiki SELECT * FROM wikipedia PARTITIONED BY DAY\" --user alice --grants examples/grants.json",
    "msq-authz explain --request examples/explain-request.json --grants examples/grants.json --config examples/settings.json",
  ],
  async run({ values }, io) {
    const text = await requestText(values, io);
    const point = await decisionPoint(values, io);
    const decision = await point.decideJson(text);
    const read = readDruidJson(text);
    await write(io.stdout, `${render(decision, "value" in read ? read.value : undefined, painter(wantsColor(io)))}\n`);
    return 0;
  },
};

// msq-authz bundle build | verify | inspect: signed OPA bundles of the policy, as OPA builds and checks them.
import { buildBundle } from "../../bundle/build.js";
import { inspectBundle } from "../../bundle/inspect.js";
import { readBundleFiles } from "../../bundle/load.js";
import { verifyBundle } from "../../bundle/verify.js";
import { BundleError } from "../../errors.js";
import { type Command, UsageError, write } from "../command.js";
import { algorithmOf, grantOptions, loadGrants, loadSettings, str, verificationOf, verificationOptions } from "../inputs.js";

export const bundleBuild: Command = {
  name: "bundle build",
  summary: "build (and sign) an OPA bundle of the policy, with grants and settings as its data",
  synopsis: "--output FILE.tar.gz [--target wasm|rego] [--grants FILE] [--config FILE] [--revision R] [--signing-key PEM ...]",
  description:
    "Wraps `opa build -b` (OPA on the PATH, or the one `make tools` installs). --target rego builds the same policy for\n" +
    "a stock OPA agent. The same inputs build the same archive, byte for byte; without --revision the revision is a\n" +
    "hash of the content.",
  options: [
    { name: "output", type: "string", value: "FILE", summary: "where to write the bundle (.tar.gz)" },
    { name: "target", type: "string", value: "wasm|rego", summary: "wasm (default) for msq-authz decision points, rego for stock OPA agents" },
    ...grantOptions,
    { name: "revision", type: "string", value: "R", summary: "the bundle's revision (default: a hash of its content)" },
    { name: "signing-key", type: "string", value: "PEM", summary: "sign the bundle with this private key (or HS secret)" },
    { name: "signing-alg", type: "string", value: "ALG", summary: "the signing algorithm (default RS256)" },
    { name: "scope", type: "string", value: "SCOPE", summary: "the signature's scope claim" },
    { name: "key-id", type: "string", value: "ID", summary: "the signature's key id" },
  ],
  examples: [
    "msq-authz bundle build --output msq-authz.tar.gz --grants examples/grants.json --config examples/settings.json",
    "msq-authz bundle build --output prod.tar.gz --target rego --signing-key private.pem --signing-alg RS256 --key-id release",
  ],
  async run({ values }, io) {
    const output = str(values, "output");
    if (output === undefined) throw new UsageError("bundle build needs --output FILE.tar.gz");
    const target = str(values, "target") ?? "wasm";
    if (target !== "wasm" && target !== "rego") throw new UsageError(`--target must be wasm or rego, not '${target}'`);
    const [grants, settings] = await Promise.all([loadGrants(str(values, "grants"), io), loadSettings(values, io)]);
    const signingKey = str(values, "signing-key");
    const revision = str(values, "revision");
    const scope = str(values, "scope");
    const keyId = str(values, "key-id");
    await buildBundle({
      output,
      target,
      grants,
      settings,
      ...(revision ? { revision } : {}),
      ...(signingKey ? { signingKey, signingAlg: algorithmOf(values) ?? "RS256" } : {}),
      ...(scope ? { scope } : {}),
      ...(keyId ? { keyId } : {}),
    });
    await write(io.stdout, `built ${output}\n`);
    return 0;
  },
};

export const bundleVerify: Command = {
  name: "bundle verify",
  summary: "verify a signed bundle: exit 0 valid, 1 refused (with the reason)",
  synopsis: "FILE --verification-key FILE [--signing-alg ALG] [--scope S] [--key-id K]",
  description:
    "The algorithm is the one the signature names; it must suit the key (a PEM public key: RS, PS or ES; a secret:\n" +
    "HS), and --signing-alg pins it.",
  options: verificationOptions,
  positionals: { min: 1, max: 1, name: "the bundle FILE" },
  examples: ["msq-authz bundle verify msq-authz.tar.gz --verification-key public.pem --scope prod"],
  async run({ values, positionals }, io) {
    const verification = await verificationOf(values, io);
    if (!verification) throw new UsageError("bundle verify needs --verification-key FILE");
    try {
      const path = positionals[0] as string;
      const verified = await verifyBundle(await readBundleFiles(path), verification, path);
      const by = `${verified?.keyId ? ` by key '${verified.keyId}'` : ""}${verified?.scope ? ` for scope '${verified.scope}'` : ""}`;
      await write(io.stdout, `bundle ${path} is valid: ${verified?.files ?? 0} files signed${by}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      await write(io.stdout, `${error.message}\n`);
      return 1;
    }
  },
};

export const bundleInspect: Command = {
  name: "bundle inspect",
  summary: "print a bundle's manifest, revision, entrypoints, key id and each file's hash",
  synopsis: "FILE",
  options: [],
  positionals: { min: 1, max: 1, name: "the bundle FILE" },
  examples: ["msq-authz bundle inspect msq-authz.tar.gz"],
  async run({ positionals }, io) {
    await write(io.stdout, `${JSON.stringify(await inspectBundle(positionals[0] as string), null, 2)}\n`);
    return 0;
  },
};

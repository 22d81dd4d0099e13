// Keeps a decision point on the newest good revision a bundle source offers: each new bundle is swapped in only
// after it loads and answers a smoke decision; a bad one is recorded and the current revision keeps serving.
import type { DecisionPoint } from "../decision-point.js";
import { asError } from "../errors.js";
import type { BundleSource } from "./source.js";

export function followBundles(point: DecisionPoint, source: BundleSource): void {
  source.status.revision = point.revision;
  source.on("bundle", (bundle) => {
    point.swap(bundle).then(
      () => source.activated(bundle),
      (error: unknown) => source.fail(asError(error)),
    );
  });
  source.start();
}

import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { readBundleFiles } from "../src/bundle/load.js";

export interface ExtraEntry {
  name: string;
  type?: "symlink";
  linkname?: string;
}

/** Writes `output`: the bundle at `source` with its files changed, packed again, its signature left as it was. */
export async function repack(source: string, output: string, change: (files: Map<string, Buffer>) => void, extraEntries: ExtraEntry[] = []): Promise<string> {
  const files = await readBundleFiles(source);
  change(files);
  const tar = pack();
  for (const [file, content] of files) tar.entry({ name: `/${file}` }, content);
  for (const entry of extraEntries) {
    if (entry.type) tar.entry({ name: entry.name, type: entry.type, linkname: entry.linkname ?? "" });
    else tar.entry({ name: entry.name }, Buffer.from("x"));
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  writeFileSync(output, gzipSync(Buffer.concat(chunks)));
  return output;
}

// A plain SVG line chart of decisions/s against the grant set's size (log-log), with no chart library.
const series = [
  ["embedded (WASM), repeated, pre-analyzed mix", "#1b7837"],
  ["embedded (WASM), first-time, pre-analyzed mix", "#5aae61"],
  ["naive Casbin (regexMatch over every line), mix", "#762a83"],
  ["OPA Go evaluator (opa bench), SELECT", "#2166ac"],
  ["OPA server over HTTP keep-alive, mix", "#b2182b"],
];

export function renderChart(rows, sizes) {
  const width = 760, height = 420, left = 70, right = 250, top = 30, bottom = 50;
  const points = series.map(([name]) => sizes.map((size) => rows.find((r) => r.workload === name && r.permissions === size)?.opsPerSec ?? 1));
  const values = points.flat();
  const [lo, hi] = [Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values)))];
  const x = (i) => left + (i * (width - left - right)) / Math.max(1, sizes.length - 1);
  const y = (v) => top + ((hi - Math.log10(v)) * (height - top - bottom)) / Math.max(1, hi - lo);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">decisions/s against grant-set size (log scales)</text>`];
  for (let e = lo; e <= hi; e++) parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`, `<text x="${left - 8}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  sizes.forEach((size, i) => parts.push(`<text x="${x(i)}" y="${height - bottom + 18}" text-anchor="middle">${size.toLocaleString("en-US")}</text>`));
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">permissions in the grant set</text>`);
  series.forEach(([name, color], s) => {
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points[s].map((v, i) => `${x(i)},${y(v)}`).join(" ")}"/>`);
    parts.push(`<text x="${width - right + 10}" y="${top + 20 + s * 18}" fill="${color}">${name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

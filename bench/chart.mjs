// A plain SVG line chart of decisions/s against the grant set's size (log-log), with no chart library.
import { scale } from "./workloads.mjs";

const series = [
  [scale.repeated, "#1b7837"],
  [scale.firstTime, "#5aae61"],
  [scale.casbin, "#762a83"],
  [scale.opaGo, "#2166ac"],
  [scale.opaServer, "#b2182b"],
];

const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function renderChart(rows, sizes) {
  const width = 760, plotHeight = 330, left = 70, right = 30, top = 30, legendLine = 18;
  const height = plotHeight + 50 + series.length * legendLine + 10;
  const points = series.map(([name]) => sizes.map((size) => rows.find((r) => r.workload === name && r.permissions === size)?.opsPerSec));
  const values = points.flat().filter((v) => v > 0);
  const [lo, hi] = values.length ? [Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values)))] : [0, 1];
  const x = (i) => left + (sizes.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (sizes.length - 1));
  const y = (v) => top + ((hi - Math.log10(v)) * (plotHeight - top)) / Math.max(1, hi - lo);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">decisions/s against grant-set size (log scales)</text>`];
  for (let e = lo; e <= hi; e++) parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`, `<text x="${left - 8}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  sizes.forEach((size, i) => parts.push(`<text x="${x(i)}" y="${plotHeight + 18}" text-anchor="middle">${size.toLocaleString("en-US")}</text>`));
  parts.push(`<text x="${(left + width - right) / 2}" y="${plotHeight + 38}" text-anchor="middle">permissions in the grant set</text>`);
  series.forEach(([name, color], s) => {
    const line = points[s].map((v, i) => (v > 0 ? `${x(i)},${y(v)}` : undefined)).filter(Boolean);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${line.join(" ")}"/>`);
    for (const point of line) parts.push(`<circle cx="${point.split(",")[0]}" cy="${point.split(",")[1]}" r="3" fill="${color}"/>`);
    const legendY = plotHeight + 50 + s * legendLine + 10;
    parts.push(`<line x1="${left}" x2="${left + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${left + 32}" y="${legendY}" fill="${color}">${escape(name)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

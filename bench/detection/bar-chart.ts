/** One group of bars: a label under it and one value per series. */
export interface BarGroup {
  label: string;
  values: number[];
}

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const BAR = 9;
const GROUP_GAP = 18;
const LEFT = 70;
const TOP = 40;
const PLOT_HEIGHT = 240;
const BOTTOM = 90;
const LEGEND_ENTRY = 115;

/** A grouped bar chart as standalone SVG text, with a y axis from 0 and a legend of the series. */
export function barChartSvg(title: string, yLabel: string, series: string[], groups: BarGroup[]): string {
  const groupWidth = series.length * BAR + GROUP_GAP;
  const width = Math.max(LEFT + groups.length * groupWidth, LEFT + series.length * LEGEND_ENTRY) + 20;
  const height = TOP + PLOT_HEIGHT + BOTTOM;
  const max = niceCeiling(Math.max(1, ...groups.flatMap((group) => group.values)));
  const y = (value: number) => TOP + PLOT_HEIGHT - (value / max) * PLOT_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<text transform="translate(14 ${TOP + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max * tick) / 4;
    parts.push(
      `<line x1="${LEFT}" x2="${width - 20}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`,
    );
  }
  groups.forEach((group, g) => {
    const x0 = LEFT + GROUP_GAP / 2 + g * groupWidth;
    group.values.forEach((value, s) => {
      const top = y(value);
      parts.push(
        `<rect x="${x0 + s * BAR}" y="${top}" width="${BAR - 1}" height="${TOP + PLOT_HEIGHT - top}" fill="${COLOURS[s % COLOURS.length]}"><title>${escape(`${group.label}, ${series[s]}: ${value.toFixed(1)}`)}</title></rect>`,
      );
    });
    const centre = x0 + (series.length * BAR) / 2;
    parts.push(`<text x="${centre}" y="${TOP + PLOT_HEIGHT + 14}" text-anchor="middle">${escape(group.label)}</text>`);
  });
  parts.push(`<line x1="${LEFT}" x2="${width - 20}" y1="${TOP + PLOT_HEIGHT}" y2="${TOP + PLOT_HEIGHT}" stroke="#333"/>`);
  series.forEach((name, s) => {
    const x = LEFT + s * LEGEND_ENTRY;
    const yLegend = TOP + PLOT_HEIGHT + 45;
    parts.push(
      `<rect x="${x}" y="${yLegend - 9}" width="10" height="10" fill="${COLOURS[s % COLOURS.length]}"/>`,
      `<text x="${x + 14}" y="${yLegend}">${escape(name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** 1, 2 or 5 times a power of ten, at or above the value. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value)!;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

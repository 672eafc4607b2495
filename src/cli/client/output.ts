/** Prints what the API answered, as it answered it, for `--json`. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints rows under a header in aligned columns; a note when there are no rows. */
export function printTable(header: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

/** Prints labelled values one per line, the labels aligned. */
export function printFields(fields: [label: string, value: string][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  process.stdout.write(`${fields.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join("\n")}\n`);
}

/** A timestamp to the second, or "-" for none. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "-";
}

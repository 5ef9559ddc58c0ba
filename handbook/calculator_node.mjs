// Runs the calculator page's own JavaScript (docs/javascripts/calculator.js) for tests/pages/test_calculator.py.
// Protocol: each stdin line is a JSON array of inputs; for each line, one stdout line with the JSON
// array of answers, shaped like snippets/calculator/reference.py's reference() so Python can compare.
import { createInterface } from "node:readline";
import calculator from "../docs/javascripts/calculator.js";

const LISTED_WINDOWS = Number(process.argv[2] || 256);

function answer(input) {
  const r = calculator.compute(input);
  if (r.error) return { error: r.error };
  let windows = null;
  if (r.windows) {
    const w = r.windows;
    windows = { count: w.count, full: w.full, smallest: w.smallest, largest: w.largest,
                equals_full_attention: w.equals_full_attention, sizes: calculator.windowSizes(w, LISTED_WINDOWS) };
  }
  return { resized: r.resized, grid: r.grid, tokens: r.tokens, scale: r.scale, windows };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim()) process.stdout.write(JSON.stringify(JSON.parse(line).map(answer)) + "\n");
}

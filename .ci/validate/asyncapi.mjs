// Parses and validates an AsyncAPI document with the AsyncAPI project's own parser (@asyncapi/parser):
// schema errors and the parser's rule set. Prints every diagnostic; exit 1 on any error.
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(path, 'utf8'), { source: path });
const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information', [DiagnosticSeverity.Hint]: 'hint' };
for (const d of diagnostics) {
  console.log(`${names[d.severity]}: ${d.code} ${d.message} at ${d.path.join('.')}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length) {
  console.error(`${path}: ${errors.length} errors`);
  process.exit(1);
}
console.log(`${path}: valid AsyncAPI ${document.version()}, ${document.channels().length} channels, `
  + `${document.operations().length} operations, ${document.allMessages().length} messages; `
  + `${diagnostics.length} diagnostics, none an error`);

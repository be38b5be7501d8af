// Compiles the Motoko test cubes in this directory with the compiler pinned in
// package.json (npm "motoko") and the core library bundled with it. Run through
// `go generate ./execution/wasm`; CI uses the committed .wasm files.
'use strict';
const fs = require('fs');
const path = require('path');
const mo = require('motoko');
const core = require('motoko/packages/latest/core.json');

mo.loadPackage(core);
const sources = ['Caller.mo', 'Counter.mo', 'KV.mo', 'Trapper.mo'];
for (const src of sources) {
  mo.write(src, fs.readFileSync(path.join(__dirname, src), 'utf8'));
}
let failed = false;
for (const src of sources) {
  const out = mo.wasm(src, 'ic');
  if (!out || !out.wasm) {
    console.error(src, JSON.stringify(out && out.diagnostics, null, 2));
    failed = true;
    continue;
  }
  const dst = path.join(__dirname, src.replace(/\.mo$/, '.wasm'));
  fs.writeFileSync(dst, Buffer.from(out.wasm));
  console.log(`${dst}: ${out.wasm.length} bytes`);
}
process.exit(failed ? 1 : 0);

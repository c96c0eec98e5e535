// Compiles Atom.sol with the pinned npm solc (offline after `npm ci`) from
// the standard-JSON input Atom.json and writes Atom.abi, Atom.bin and
// Atom.bin-runtime next to it. Run by `go generate ./runtime/stem/...`.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const dir = __dirname;
const input = JSON.parse(fs.readFileSync(path.join(dir, 'Atom.json'), 'utf8'));
for (const name of Object.keys(input.sources)) {
  input.sources[name] = { content: fs.readFileSync(path.join(dir, name), 'utf8') };
}
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
for (const e of out.errors || []) process.stderr.write(e.formattedMessage + '\n');
if (errors.length > 0) process.exit(1);
const c = out.contracts['Atom.sol'].Atom;
const outDir = process.argv[2] || dir;
fs.writeFileSync(path.join(outDir, 'Atom.abi'), JSON.stringify(c.abi) + '\n');
fs.writeFileSync(path.join(outDir, 'Atom.bin'), c.evm.bytecode.object + '\n');
fs.writeFileSync(path.join(outDir, 'Atom.bin-runtime'), c.evm.deployedBytecode.object + '\n');
process.stdout.write('solc ' + solc.version() + ': wrote Atom.abi, Atom.bin, Atom.bin-runtime to ' + outDir + '\n');

// verify.mjs checks certificates made by BIG's statemgr with the unmodified
// @dfinity/agent: Certificate.create verifies each one (tree, delegation,
// time, BLS signature) and lookup_path must give the expected results.
//
// Only Found lookups are compared: the agent's label comparison
// (isBufferGreaterThan) is not lexicographic, so its Absent/Unknown answers
// for paths a witness does not reveal can differ from the specification's.
//
// Usage: node verify.mjs <fixture.json>
// The fixture is written by agentcheck_test.go (go test ./examples/agentcheck).
import { readFileSync } from 'node:fs';
import { Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

const fixture = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rootKey = hex(fixture.rootKey);
let failures = 0;

for (const c of fixture.cases) {
  let cert;
  try {
    cert = await Certificate.create({
      certificate: hex(c.certificate),
      rootKey,
      canisterId: Principal.fromText(c.canisterId),
    });
  } catch (e) {
    if (c.shouldFail) {
      console.log(`ok   ${c.name}: rejected as expected (${String(e.message ?? e).split('\n')[0]})`);
    } else {
      console.log(`FAIL ${c.name}: ${e.message ?? e}`);
      failures++;
    }
    continue;
  }
  if (c.shouldFail) {
    console.log(`FAIL ${c.name}: verified but should have been rejected`);
    failures++;
    continue;
  }
  let ok = true;
  for (const x of c.expect ?? []) {
    const res = cert.lookup_path(x.path.map(hex));
    const value = res.value === undefined ? '' : toHex(res.value);
    if (res.status !== x.status || (x.status === 'Found' && value !== x.value)) {
      console.log(`FAIL ${c.name}: lookup ${JSON.stringify(x.path)}: got ${res.status} ${value}, want ${x.status} ${x.value}`);
      ok = false;
    }
  }
  if (ok) {
    console.log(`ok   ${c.name}: verified, ${(c.expect ?? []).length} lookups match`);
  } else {
    failures++;
  }
}
if (failures > 0) {
  console.log(`${failures} case(s) failed`);
  process.exit(1);
}

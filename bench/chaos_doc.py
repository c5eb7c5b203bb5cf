"""Updates bench/CHAOS.md with one topology's tables from parley-chaos (its --markdown-out),
between that topology's markers, stamped with the date, commit, machine and command; the rest of
the document stays as written by hand.

usage: chaos_doc.py CHAOS.md TOPOLOGY TABLES.md STARTED COMMIT COMMAND"""

import os
import platform
import sys

ORDER = ["single", "shards3", "cluster3r1"]
TITLES = {
    "single": "One Redis server",
    "shards3": "Three standalone Redis shards",
    "cluster3r1": "Redis Cluster: three primaries, one replica each",
}


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "?"
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}, load {load} at the end"


def markers(topology):
    return f"<!-- chaos:{topology}:begin -->", f"<!-- chaos:{topology}:end -->"


def main():
    path, topology, tables, started, commit, command = sys.argv[1:7]
    section = [
        f"## {TITLES.get(topology, topology)} (`{topology}`)",
        "",
        f"Run started {started} on commit `{commit}`; {machine()}.",
        f"`{command}`",
        "",
        open(tables).read().rstrip(),
    ]
    text = open(path).read() if os.path.exists(path) else "# Chaos runs\n"
    begin, end = markers(topology)
    if begin in text and end in text:
        start, stop = text.index(begin) + len(begin), text.index(end)
        text = text[:start] + "\n" + "\n".join(section) + "\n" + text[stop:]
    else:
        # In the documented order: before the first topology that comes after this one.
        block = begin + "\n" + "\n".join(section) + "\n" + end + "\n"
        after = ORDER[ORDER.index(topology) + 1:] if topology in ORDER else []
        later = [markers(t)[0] for t in after]
        positions = [text.index(m) for m in later if m in text]
        if positions:
            at = min(positions)
            text = text[:at] + block + "\n" + text[at:]
        else:
            text = text.rstrip("\n") + "\n\n" + block
    open(path, "w").write(text)
    print(f"chaos_doc: updated {path} ({topology})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Gathers the result lines bench/run.sh left in its work dir into one document in bench/results/:
the scenario, the commit measured, the machine and every run with its command line.

Usage: results_doc.py scenario NAME BACKEND | results_doc.py reregistration |
       results_doc.py login-cold
Environment: WORK (run.sh's work dir), COMMIT, OUT (the document to write)."""
import glob
import json
import os
import sys


def machine():
    model = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1])
    return {"nproc": os.cpu_count(), "mem_total_gib": round(mem / 1048576, 1), "cpu": model,
            "kernel": os.uname().release}


def command_of(work, name):
    return open(os.path.join(work, name + ".cmd")).read().strip()


def scenario_runs(work, scenario):
    """parley-bench runs, named SERVER-STEP (echo-private-max, parley-idle, ...)."""
    runs = []
    for path in sorted(glob.glob(os.path.join(work, "*.json"))):
        name = os.path.basename(path)[:-5]
        server, _, step = name.partition("-")
        result = json.load(open(path))
        if result["scenario"] != scenario:
            continue
        runs.append({"server": server, "step": step, "command": command_of(work, name),
                     "result": result})
    return runs


def reregistration_runs(work):
    """reregistration-bench runs (rereg-TOPOLOGY-SESSIONS), whose JSON is their last line."""
    runs = []
    for path in sorted(glob.glob(os.path.join(work, "rereg-*.json"))):
        name = os.path.basename(path)[:-5]
        result = json.loads(open(path).read().strip().splitlines()[-1])
        runs.append({"topology": result["topology"], "sessions": result["sessions"],
                     "command": command_of(work, name), "result": result})
    order = {"single": 0, "shards3": 1, "cluster3": 2}
    runs.sort(key=lambda r: (order.get(r["topology"], 9), r["sessions"]))
    return runs


def login_cold_runs(work):
    """parley-bench login runs named cold-MODE-STEP (first, restarted), each with the node's
    password metrics read right after it (cold-MODE-STEP.metrics)."""
    runs = []
    for path in sorted(glob.glob(os.path.join(work, "cold-*.json"))):
        name = os.path.basename(path)[:-5]
        _, mode, step = name.split("-", 2)
        metrics = json.load(open(os.path.join(work, name + ".metrics")))
        runs.append({"cache": mode, "step": step, "command": command_of(work, name),
                     "password_metrics": metrics, "result": json.load(open(path))})
    order = {"first": 0, "restarted": 1}
    runs.sort(key=lambda r: (r["cache"] != "on", order.get(r["step"], 9)))
    return runs


def main():
    work = os.environ["WORK"]
    if sys.argv[1] == "reregistration":
        doc = {"scenario": "reregistration"}
        runs = reregistration_runs(work)
    elif sys.argv[1] == "login-cold":
        doc = {"scenario": "login-cold", "backend": "embedded"}
        runs = login_cold_runs(work)
    else:
        scenario, backend = sys.argv[2], sys.argv[3]
        doc = {"scenario": scenario, "backend": backend}
        runs = scenario_runs(work, scenario)
    doc.update({"date": runs[0]["result"]["date"] if runs else "", "commit": os.environ["COMMIT"],
                "machine": machine(), "runs": runs})
    with open(os.environ["OUT"], "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print("run.sh: wrote " + os.environ["OUT"])


if __name__ == "__main__":
    main()

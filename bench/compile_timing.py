#!/usr/bin/env python3
"""When C1 compiles a scrape's code: a fresh JVM with the image's flags, -XX:+PrintCompilation, scraped
N times with a pause between scrapes; prints how many compilations each scrape brought.

  bench/compile_timing.py JAR [--gap 1] [--scrapes 60] [--extra 'JVM flags'] [--aot] [--port 10199] [--out FILE]

--gap: seconds between scrapes (a DaemonSet's 15 s and 1 s behave the same for the JIT: the compiler
thread is idle long before the next scrape); 0 scrapes back to back, as bench/run.sh and bench/ab.sh do.
--aot: train an AOT cache with the same flags first (the train command, as the Dockerfile does) and
start from it. Runs in the caller's network namespace (no root needed); the sockets there barely matter,
this is about the code run once a scrape. Needs JAVA_HOME or the JDK at .ci/with-jdk25's path.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver as d  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMPILATION = re.compile(r"^\s*\d+\s+\d+\s")


def image_flags():
    with open(os.path.join(ROOT, "src", "main", "jvm", "jvm.options")) as f:
        text = re.sub(r"#.*", "", f.read())
    return text.split() + ["-XX:MaxRAM=128m"]


def java_home():
    home = os.environ.get("JAVA_HOME") or subprocess.run(
        [os.path.join(ROOT, ".ci", "with-jdk25"), "sh", "-c", 'echo "$JAVA_HOME"'],
        capture_output=True, text=True).stdout.strip()
    if not home or not os.path.exists(os.path.join(home, "bin", "java")):
        sys.exit("compile_timing.py: no JDK 25 (set JAVA_HOME)")
    return home


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jar")
    ap.add_argument("--gap", type=float, default=1)
    ap.add_argument("--scrapes", type=int, default=60)
    ap.add_argument("--extra", default="")
    ap.add_argument("--aot", action="store_true")
    ap.add_argument("--port", type=int, default=10199)
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    java = os.path.join(java_home(), "bin", "java")
    flags = image_flags() + a.extra.split()
    work = tempfile.mkdtemp(prefix="compile-timing-")
    log = a.out or os.path.join(work, "compilation.log")
    cache = []
    if a.aot:
        aot = os.path.join(work, "app.aot")
        t = subprocess.run([java, *flags, f"-XX:AOTCacheOutput={aot}", "-jar", a.jar, "train"], capture_output=True,
                           text=True)
        if t.returncode != 0:
            sys.exit(f"compile_timing.py: the AOT training run exited with {t.returncode}: {t.stderr.strip()[-300:]}")
        cache = [f"-XX:AOTCache={aot}"]
    with open(log, "w") as out:
        # driver.Exporter: the image's flags as bench/run.sh starts them, here with PrintCompilation into the log
        exp = d.Exporter(java, a.jar, flags, os.path.join(work, "gc.log"), [*cache, "-XX:+PrintCompilation"],
                         port=a.port, stdout=out)
        try:
            try:
                exp.first_success()
            except RuntimeError as e:
                sys.exit(f"compile_timing.py: {e} (log {log})")
            marks = [os.path.getsize(log)]  # the log up to the first answered scrape
            for _ in range(a.scrapes - 1):
                time.sleep(a.gap)
                exp.scrape()
                out.flush()
                marks.append(os.path.getsize(log))
            time.sleep(max(a.gap, 0.5))
        finally:
            exp.stop()
    with open(log) as f:
        text = f.read()
    counts, prev = [], 0
    for m in marks:
        counts.append(sum(1 for line in text[prev:m].splitlines() if COMPILATION.match(line)))
        prev = m
    extra = " ".join(a.extra.split()) or "the image's only"
    print(f"flags: {extra}{' with an AOT cache' if a.aot else ''}, "
          f"{a.gap} s between scrapes; log {log}")
    print(f"compilations up to the first answered scrape: {counts[0]}")
    print("each later scrape (compiled since the one before it answered):", " ".join(map(str, counts[1:])))
    print(f"in scrapes 21-50: {sum(counts[20:50])}; after the last scrape: "
          f"{sum(1 for line in text[prev:].splitlines() if COMPILATION.match(line))}")


if __name__ == "__main__":
    main()

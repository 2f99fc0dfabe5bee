"""Long fuzzing campaign over nrnn's readers: ``python -m bench.fuzz --iterations 100000``.

Runs ``--iterations`` mutants of each format (PNG, CSV, model JSON, IDX,
JPEG; see ``tests/fuzzing.py`` for the mutations) through its reader and prints the
count of each outcome, per format:

    format   mutants        ok  rejected  crash   hang   slowest
    png       100000     20391     79609      0      0     0.04s

ok = decoded and sane, rejected = the reader's own NrnnError, crash =
anything else (or a result that breaks an invariant), hang = over
``--timeout`` seconds.  Mutant i of a format depends only on (--seed, i), so
``--start I --iterations 1`` rebuilds one.  The process runs under an
address-space limit (``--memory-limit``, 3 GB), so a reader that would
allocate gigabytes for a small input fails with MemoryError: a crash.  With ``--save DIR`` each distinct
crash is minimised and written to DIR (``tests/regressions/`` is where they
go, with a test).  Exit status 1 if anything crashed or hung.

Standard library only.  Progress goes to stderr every ``--every`` mutants.
"""

import argparse
import os
import sys
import time

from tests.fuzzing import EXTENSIONS, FORMATS, Campaign, crash_kind, minimize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10000, help="mutants per format (default: %(default)s)")
    parser.add_argument("--start", type=int, default=0, help="first mutant index (default: 0)")
    parser.add_argument("--seed", type=int, default=1, help="campaign seed (default: %(default)s)")
    parser.add_argument("--format", action="append", choices=FORMATS,
                        help="fuzz only this format (repeatable; default: all)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per reader before 'hang'")
    parser.add_argument("--big", action="store_true", help="also try multi-MB zlib bombs and long lines")
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"),
                        help="folder holding pngsuite/ and jpeg/ (default: ../shared)")
    parser.add_argument("--save", metavar="DIR", help="write each distinct crash, minimised, to DIR")
    parser.add_argument("--every", type=int, default=5000, help="progress line every N mutants")
    parser.add_argument("--memory-limit", type=int, default=3072, metavar="MB",
                        help="address-space limit (RLIMIT_AS): a reader that tries to allocate "
                             "more gets MemoryError and counts as a crash; 0 = none "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.memory_limit:
        try:
            import resource
            limit = args.memory_limit << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        except (ImportError, ValueError, OSError) as error:
            sys.stderr.write("note: no memory limit (%s)\n" % error)

    campaign = Campaign(args.shared if os.path.isdir(args.shared) else None,
                        seed=args.seed, timeout=args.timeout, big=args.big)
    started = time.time()

    def progress(fmt, index):
        done = index - args.start + 1
        if done % args.every == 0:
            counts = campaign.counts[fmt]
            sys.stderr.write("%s %d/%d  crash %d  hang %d  (%.0f s)\n" % (
                fmt, done, args.iterations, counts["crash"], counts["hang"], time.time() - started))
            sys.stderr.flush()

    try:
        print("python %s, seed %d, %d mutants per format from #%d, PngSuite %s (%d PNG seeds), "
              "%d JPEG seeds (%d from ../shared/jpeg)" % (
                  sys.version.split()[0] + (" (PyPy)" if hasattr(sys, "pypy_version_info") else ""),
                  args.seed, args.iterations, args.start,
                  "yes" if any(name.endswith(".png") and not name.startswith("synthetic")
                               for name, _ in campaign.corpora["png"]) else "no",
                  len(campaign.corpora["png"]), len(campaign.corpora["jpeg"]),
                  sum(not name.startswith("synthetic") for name, _ in campaign.corpora["jpeg"])))
        for fmt in args.format or FORMATS:
            campaign.run(fmt, args.start, args.start + args.iterations, progress)
        print(campaign.table())
        print("%.0f s" % (time.time() - started))
        kinds = {}
        for fmt, index, outcome, detail, _ in campaign.failures:
            kinds.setdefault((fmt, outcome, crash_kind(detail)), []).append(index)
        for (fmt, outcome, kind), indices in sorted(kinds.items()):
            print("%s %s x%d (e.g. #%s): %s" % (outcome.upper(), fmt, len(indices),
                                               ", #".join(map(str, indices[:3])), kind))
        seen = set()
        for fmt, index, outcome, detail, data in campaign.failures:
            if args.save and outcome == "crash" and (fmt, crash_kind(detail)) not in seen:
                seen.add((fmt, crash_kind(detail)))
                small = minimize(fmt, data, campaign.scratch, detail, args.timeout)
                os.makedirs(args.save, exist_ok=True)
                path = os.path.join(args.save, "%s-seed%d-%d%s" % (fmt, args.seed, index, EXTENSIONS[fmt]))
                with open(path, "wb") as handle:
                    handle.write(small)
                print("   minimised to %d bytes: %s" % (len(small), path))
    finally:
        campaign.close()
    return 1 if campaign.failures else 0


if __name__ == "__main__":
    sys.exit(main())

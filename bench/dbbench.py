"""The database benchmarks of bench/run.

* `dbsetup`: the database setup of a parallel run, per backend (SQLite file,
  SQLite in-memory, PostgreSQL, MariaDB) and template size, measured by
  db/db_setup.cc: create and fill a template, clone it for N workers, verify
  the clones; for in-memory SQLite also the workers attaching their clones,
  for MariaDB also mariadb-dump | mariadb for comparison.
* `dbreset`: the per-test reset (Backend::Reset) per backend and template
  size, measured by reset/reset_bench.cc: after a test that changed nothing,
  after 3 inserts, 2 updates and 1 delete in a small table and in the big
  one, and Restore() for comparison.
* `db_sqlite`, `db_postgresql`, `db_mariadb`: database-bound test programs
  (db/db_workload.cc), run by bench/run like its other workloads: the
  gtest_parallel build uses gtest_parallel's database API
  (db/parallel_database.cc), the gtest_main build makes a database per
  process itself (db/serial_database.cc).

The PostgreSQL and MariaDB servers are those of scripts/start-databases.sh:
their URLs come from GTEST_PARALLEL_TEST_PG_URL and
GTEST_PARALLEL_TEST_MARIADB_URL, or from the env.sh that script writes. A
missing server is an error, never a reason to skip. URLs hold passwords:
they go to the programs through their environment and are never printed.
"""

import json
import os
import re
import statistics
import subprocess
import time

DB_WORKLOADS = ["db_sqlite", "db_postgresql", "db_mariadb"]
SETUP = "dbsetup"
RESET = "dbreset"
MB = 1024.0 * 1024.0

# The database-bound workloads: the backend target their programs link and
# the variable naming the server (None: SQLite files in the results
# directory).
BACKENDS = {
    "db_sqlite": dict(target="gtest_parallel::sqlite", server=None,
                      label="SQLite (database files)"),
    "db_postgresql": dict(target="gtest_parallel::postgresql",
                          server="GTEST_PARALLEL_TEST_PG_URL",
                          label="PostgreSQL"),
    "db_mariadb": dict(target="gtest_parallel::mariadb",
                       server="GTEST_PARALLEL_TEST_MARIADB_URL",
                       label="MariaDB"),
}
# Tests of each database-bound workload (suites x tests per suite), 3
# transactions each; the test sources are shared by the three workloads.
SIZES = {
    "full": dict(suites=25, per_suite=20, transactions=3, tus=5),
    "quick": dict(suites=2, per_suite=10, transactions=3, tus=1),
}
# dbsetup: template sizes (MB), worker counts, and the most repeats for
# templates above 20 MB (a MariaDB clone of 200 MB takes seconds).
SETUP_SIZES = {
    "full": dict(sizes_mb=[20, 200], workers=[2, 4, 8], large_repeats=3),
    "quick": dict(sizes_mb=[2], workers=[2, 4, 8], large_repeats=1),
}
# dbreset: template sizes (MB) and Resets timed per case (Restore(): 3).
RESET_SIZES = {
    "full": dict(sizes_mb=[2, 20], resets=30),
    "quick": dict(sizes_mb=[2], resets=10),
}
# reset_bench's cases, in its order: (name it prints, label in the report).
RESET_CASES = [
    ("unchanged", "nothing changed"),
    ("3 ins/2 upd/1 del small", "3 inserts, 2 updates, 1 delete in the "
                                "small table"),
    ("3 ins/2 upd/1 del big", "3 inserts, 2 updates, 1 delete in the big "
                              "table"),
    ("Restore() for comparison", "`Restore()`, for comparison"),
]
# The cases in which a test changed a few rows.
RESET_CHANGED = ["3 ins/2 upd/1 del small", "3 ins/2 upd/1 del big"]
# Targets (median ms): a Reset after a test that changed nothing, and after
# one that changed a few rows, per backend kind.
RESET_UNCHANGED_MS = 1.0
RESET_CHANGED_MS = {"sqlite_file": 2.0, "sqlite_memory": 2.0,
                    "postgresql": 30.0, "mariadb": 30.0}
# The programs of the steps that are not tests, as the build names them.
PROGRAMS = {SETUP: "db_setup", RESET: "gtest_parallel_reset_bench"}
# dbsetup's and dbreset's backends: (kind, label, server variable or None for
# SQLite).
SETUP_KINDS = [
    ("sqlite_file", "SQLite file", None),
    ("sqlite_memory", "SQLite in-memory", None),
    ("postgresql", "PostgreSQL", "GTEST_PARALLEL_TEST_PG_URL"),
    ("mariadb", "MariaDB", "GTEST_PARALLEL_TEST_MARIADB_URL"),
]
# The variable the database-bound programs read the server's URL from.
URL_VARIABLE = "GTEST_PARALLEL_DB_BENCH"
# The shortest mean test time (s) for which the sum of the XML report's
# test times, each cut to whole milliseconds, makes an ideal.
MIN_MEAN_S = 0.005


class DbError(Exception):
    """A database benchmark that cannot run or failed."""


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------

def db_servers_dir():
    """Where scripts/start-databases.sh keeps the servers and env.sh."""
    return os.environ.get("GTEST_PARALLEL_DB_DIR") or "/tmp/gtest_parallel_db"


def server_url(variable):
    """The URL in $variable, else in the env.sh of scripts/start-databases.sh
    ($GTEST_PARALLEL_DB_DIR, default /tmp/gtest_parallel_db); raises DbError
    when neither has it."""
    value = os.environ.get(variable)
    if value:
        return value
    db_dir = db_servers_dir()
    env_file = os.path.join(db_dir, "env.sh")
    prefix = "export %s='" % variable
    try:
        with open(env_file) as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith(prefix) and line.endswith("'"):
                    return line[len(prefix):-1]
    except OSError:
        pass
    raise DbError("%s is not set and %s does not define it: start the "
                  "database servers with scripts/start-databases.sh"
                  % (variable, env_file))


def redact(text):
    """text with the passwords of any URLs in it hidden."""
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    return re.sub(r"(password=)[^&\s]*", r"\1***", text)


def server_pids():
    """{kind: pid} of the main processes of the servers of
    scripts/start-databases.sh, from their pid files."""
    db_dir = db_servers_dir()
    pids = {}
    for kind, path in (("postgresql", "pg/data/postmaster.pid"),
                       ("mariadb", "mariadb/run/mysqld.pid")):
        try:
            with open(os.path.join(db_dir, path)) as f:
                pids[kind] = int(f.readline())
        except (OSError, ValueError):
            pass
    return pids


def server_cpu_s():
    """CPU seconds (user+sys) the database servers have used so far: their
    main processes with the children they have reaped (PostgreSQL's ended
    sessions) and their running children, from /proc."""
    pids = set(server_pids().values())
    ticks = 0
    for entry in os.listdir("/proc") if pids else []:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                text = f.read()
        except OSError:
            continue
        # Fields after "pid (comm) ": state, ppid, ... utime, stime,
        # cutime, cstime (the 14th to 17th fields of stat).
        fields = text[text.rindex(")") + 2:].split()
        if int(entry) in pids:
            ticks += sum(int(x) for x in fields[11:15])
        elif int(fields[1]) in pids:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / float(os.sysconf("SC_CLK_TCK"))


def uses_server(workload):
    """Whether a workload's tests run on a database server."""
    return bool(BACKENDS.get(workload, {}).get("server"))


def workload_urls(workloads, out_dir):
    """{workload: server URL} for the database-bound workloads among
    workloads (SQLite: a directory under out_dir)."""
    urls = {}
    for w in workloads:
        if w not in BACKENDS:
            continue
        variable = BACKENDS[w]["server"]
        if variable:
            urls[w] = server_url(variable)
        else:
            directory = os.path.join(out_dir, "db", "sqlite")
            os.makedirs(directory, exist_ok=True)
            urls[w] = "sqlite://" + os.path.join(directory, "bench.db")
    return urls


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

COMMON_CMAKE = """# Generated by bench/run: the tests of the database-bound
# workloads, compiled once for db_sqlite, db_postgresql and db_mariadb.
add_library({mode}_db_tests OBJECT {sources} "{db}/db_workload.cc")
target_include_directories({mode}_db_tests PUBLIC "{db}")
target_link_libraries({mode}_db_tests PUBLIC GTest::gtest
                      gtest_parallel::backend)
"""

DB_WORKLOAD_CMAKE = """# Generated by bench/run.
# The "serial" contender (and the one ctest and static sharding run): with
# gtest_main, making a database per process itself (serial_database.cc).
add_executable({t}_serial "{db}/serial_database.cc")
target_link_libraries({t}_serial PRIVATE {mode}_db_tests GTest::gtest_main
                      {backend})
target_compile_definitions({t}_serial PRIVATE
                           BENCH_DB_SCHEMA="{db}/schema.sql")
gtest_discover_tests({t}_serial DISCOVERY_TIMEOUT 600)

# The same tests with gtest_parallel's main and database API.
add_executable({t}_parallel "{db}/parallel_database.cc")
target_link_libraries({t}_parallel PRIVATE {mode}_db_tests
                      gtest_parallel::main {backend})
target_compile_definitions({t}_parallel PRIVATE
                           BENCH_DB_SCHEMA="{db}/schema.sql")
"""

SETUP_CMAKE = """
# The database setup benchmark (dbsetup).
add_executable(db_setup "{db}/db_setup.cc" "{db}/db_setup_data.cc"
               "{db}/db_setup_processes.cc")
target_link_libraries(db_setup PRIVATE gtest_parallel::sqlite
                      gtest_parallel::postgresql gtest_parallel::mariadb)

# The per-test reset benchmark (dbreset): reset/CMakeLists.txt links
# gtest_parallel_reset_bench with the three backend targets; the program
# goes next to db_setup.
add_subdirectory("{bench}/reset" reset_bench)
set_target_properties(gtest_parallel_reset_bench PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY "${{CMAKE_BINARY_DIR}}")
"""


def test_sources(size):
    """{file name: C++ source} of the database-bound tests."""
    files = {}
    per_tu = -(-size["suites"] // size["tus"])
    for tu in range(size["tus"]):
        lines = ['// Generated by bench/run.\n#include "db_workload.h"\n\n'
                 '#include <gtest/gtest.h>\n\n']
        for s in range(tu * per_tu, min((tu + 1) * per_tu, size["suites"])):
            for t in range(size["per_suite"]):
                lines.append("TEST(Db%02d, Test%02d) { "
                             "bench_db::RunTransactions(%d); }\n"
                             % (s, t, s * size["per_suite"] + t))
        files["db_tests_%02d.cc" % tu] = "".join(lines)
    return files


def generate(src, mode, bench, write):
    """Writes the database workloads' part of the generated CMake project
    with write(path, text); returns (directories to add, in order,
    {workload: number of tests}, the top-level CMake lines)."""
    db = os.path.join(bench, "db")
    size = SIZES[mode]
    files = test_sources(size)
    common = os.path.join(src, mode, "db_common")
    for name, text in files.items():
        write(os.path.join(common, name), text)
    write(os.path.join(common, "CMakeLists.txt"), COMMON_CMAKE.format(
        mode=mode, sources=" ".join(sorted(files)), db=db))
    counts = {}
    for w in DB_WORKLOADS:
        write(os.path.join(src, mode, w, "CMakeLists.txt"),
              DB_WORKLOAD_CMAKE.format(t="%s_%s" % (mode, w), mode=mode, db=db,
                                       backend=BACKENDS[w]["target"]))
        counts[w] = size["suites"] * size["per_suite"]
    return (["db_common"] + DB_WORKLOADS, counts,
            SETUP_CMAKE.format(db=db, bench=bench))


# ---------------------------------------------------------------------------
# dbsetup: running
# ---------------------------------------------------------------------------

def setup_urls(out_dir, step=SETUP):
    """{kind: URL} of the backends of dbsetup or dbreset (step; SQLite files
    under out_dir/step); raises DbError for a missing server."""
    urls = {}
    for kind, _, variable in SETUP_KINDS:
        if variable:
            urls[kind] = server_url(variable)
        elif kind == "sqlite_memory":
            urls[kind] = "sqlite::memory:"
        else:
            directory = os.path.join(out_dir, step, "sqlite")
            os.makedirs(directory, exist_ok=True)
            urls[kind] = "sqlite://" + os.path.join(
                directory, "setup.db" if step == SETUP else "reset.db")
    return urls


def _run_db_setup(cmd, env, log_path, timeout):
    """Runs db_setup (stderr to log_path); its JSON result, or DbError."""
    try:
        with open(log_path, "w") as err:
            done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err,
                                  env=env, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DbError("timed out after %g s (see %s)" % (timeout, log_path))
    if done.returncode != 0:
        raise DbError("db_setup exited with status %d (see %s)"
                      % (done.returncode, log_path))
    try:
        return json.loads(done.stdout)
    except ValueError as e:
        raise DbError("db_setup printed no result (%s; see %s)"
                      % (e, log_path))


def run_setup(runner, program, mode, repeats, urls, log):
    """Runs db_setup for every backend and template size, after waiting for
    a quiet machine; returns [result] (db_setup's JSON plus label and wall
    time) and appends failures to runner.failures."""
    plan = SETUP_SIZES[mode]
    results = []
    run_dir = os.path.join(runner.out_dir, "runs", SETUP)
    os.makedirs(run_dir, exist_ok=True)
    pids = server_pids()
    for size in plan["sizes_mb"]:
        reps = repeats if size <= 20 else min(repeats, plan["large_repeats"])
        for kind, label, _ in SETUP_KINDS:
            cid = "%s_%gmb" % (kind, size)
            logf = os.path.join(run_dir, cid + ".log")
            runner.wait_quiet(runner.args.max_wait)
            env = dict(runner.env, BENCH_DB_URL=urls[kind])
            if kind in pids:  # db_setup then reports the server's CPU
                env["BENCH_DB_SERVER_PIDS"] = str(pids[kind])
            cmd = [program, "--size-mb=%g" % size,
                   "--workers=" + ",".join(str(n) for n in plan["workers"]),
                   "--repeats=%d" % reps]
            started = time.monotonic()
            try:
                result = _run_db_setup(cmd, env, logf, runner.args.timeout)
            except DbError as e:
                log("[%s] %s %g MB FAILED: %s" % (SETUP, label, size, e))
                runner.failures.append((SETUP, cid, redact(str(e))))
                continue
            result["label"] = label
            result["wall_s"] = time.monotonic() - started
            results.append(result)
            log("[%s] %-17s %4g MB: %d repeats in %.1f s" % (
                SETUP, label, size, reps, result["wall_s"]))
    return results


# ---------------------------------------------------------------------------
# dbsetup: analysis
# ---------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize_setup(raw):
    """The figures of one db_setup result (medians over its repeats)."""
    reps = raw["repeats"]
    single = [r["single"]["clone_ms"] for r in reps]
    clone_ms = median(single)
    mb = raw["template_bytes"] / MB
    s = dict(
        kind=raw["kind"], label=raw["label"], size_mb=raw["size_mb"],
        server=raw.get("server", ""), template_mb=mb, rows=raw["rows"],
        repeats=len(reps), create_ms=raw["create_ms"],
        fill_ms=raw["fill_ms"], first_clone_ms=raw["first"]["clone_ms"],
        prep_ms=max(0.0, raw["first"]["clone_ms"] - clone_ms),
        clone_ms=clone_ms, clone_min=min(single), clone_max=max(single),
        verify_ms=median(r["single"]["verify_ms"] for r in reps),
        server_cpu_ms=median(r["single"].get("server_cpu_ms") for r in reps),
        attach_ms=median(r["single"].get("attach_ms") for r in reps),
        dump_load_ms=median(r.get("dump_load_ms") for r in reps),
        wall_s=raw.get("wall_s"), workers={})
    s["attach_ms_per_mb"] = (s["attach_ms"] / mb
                             if s["attach_ms"] is not None else None)
    for n in sorted(reps[0]["workers"], key=int):
        timings = [r["workers"][n] for r in reps]
        row = dict(
            clone_ms=median(t["clone_ms"] for t in timings),
            verify_ms=median(t["verify_ms"] for t in timings),
            server_cpu_ms=median(t.get("server_cpu_ms") for t in timings),
            attach_max_ms=median(max(t["attach_ms"]) for t in timings
                                 if t.get("attach_ms")))
        row["per_worker_ms"] = row["clone_ms"] / int(n)
        row["total_ms"] = (s["create_ms"] + s["fill_ms"] + s["prep_ms"] +
                           row["clone_ms"] + row["verify_ms"] +
                           (row["attach_max_ms"] or 0.0))
        s["workers"][int(n)] = row
    return s


def setup_summaries(data):
    return [summarize_setup(raw) for raw in data.get("dbsetup") or []]


def target_size(summaries, kind, preferred=20):
    """The summary of kind at the preferred size, else at its largest."""
    mine = [s for s in summaries if s["kind"] == kind]
    for s in mine:
        if s["size_mb"] == preferred:
            return s
    return max(mine, key=lambda s: s["size_mb"]) if mine else None


def setup_targets(data):
    """[(description, value or None, limit, format, better, reason)] of
    dbsetup; the reason, measured, is what a missed target shows."""
    sums = setup_summaries(data)
    cores = int(data["machine"]["usable_cpus"])
    out = []
    pg = target_size(sums, "postgresql")
    size = "%.0f MB" % pg["template_mb"] if pg else "20 MB"
    ns = ", ".join(str(n) for n in sorted(pg["workers"])) if pg else "2, 4, 8"
    worst = why = None
    if pg:
        worst = max([pg["clone_ms"]] + [w["per_worker_ms"]
                                        for w in pg["workers"].values()])
        why = "a clone copies the template's files in the server"
        if pg["server_cpu_ms"] is not None:
            why += (" and used %.0f ms of the server's CPU for one Clone"
                    % pg["server_cpu_ms"])
    out.append(("dbsetup: PostgreSQL, %s template: clone time per worker "
                "(worst of one Clone and CloneAll(N) / N for N = %s)"
                % (size, ns), worst, 60, "%.0f ms", "lower", why))
    eight = pg["workers"].get(8) if pg else None
    why = None
    if eight and eight.get("server_cpu_ms") is not None:
        why = ("8 clones used %.0f ms of the server's CPU, on %d cores at "
               "least %.0f ms, %.1fx one Clone" % (
                   eight["server_cpu_ms"], cores,
                   eight["server_cpu_ms"] / cores,
                   eight["server_cpu_ms"] / cores / pg["clone_ms"]))
    out.append(("dbsetup: PostgreSQL CloneAll(8) time / one Clone's (%s "
                "template)" % size,
                eight["clone_ms"] / pg["clone_ms"] if eight else None, 2.0,
                "%.2fx", "lower", why))
    mem = [s for s in sums if s["kind"] == "sqlite_memory"
           and s["attach_ms_per_mb"] is not None]
    out.append(("dbsetup: SQLite in-memory template handed to a worker "
                "(Attach in a new process), ms per MB (worst of %s)"
                % (", ".join("%.0f MB" % s["template_mb"] for s in mem)
                   or "the sizes"),
                max(s["attach_ms_per_mb"] for s in mem) if mem else None,
                1.0, "%.2f ms/MB", "lower",
                "Attach copies every page twice: it reads the image file, "
                "then copies it page by page into the named in-memory "
                "database"))
    maria = [s for s in sums if s["kind"] == "mariadb" and s["dump_load_ms"]]
    out.append(("dbsetup: MariaDB mariadb-dump | mariadb time / Clone time "
                "(worst of %s)" % (", ".join("%.0f MB" % s["template_mb"]
                                             for s in maria) or "the sizes"),
                min(s["dump_load_ms"] / s["clone_ms"] for s in maria)
                if maria else None, 1.5, "%.2fx", "higher",
                "a clone copies every row inside the server and verifies it"))
    return out


# ---------------------------------------------------------------------------
# dbsetup: report
# ---------------------------------------------------------------------------

def _ms(value, spec="%.0f"):
    return "—" if value is None else spec % value


def _s(value_ms):
    return "—" if value_ms is None else "%.2f" % (value_ms / 1e3)


def setup_report(data):
    """The Markdown lines of the database setup section."""
    sums = setup_summaries(data)
    lines = []
    add = lines.append
    add("## Database setup (`dbsetup`)\n")
    failed = [f for f in data["failures"] if f[0] == SETUP]
    if not sums:
        add("Not measured%s.\n" % (" (failed: see Failures)" if failed
                                   else ""))
        return lines
    sizes = sorted({s["size_mb"] for s in sums})
    workers = sorted(sums[0]["workers"])
    reps = sorted({s["repeats"] for s in sums})
    add("[db/db_setup.cc](db/db_setup.cc), once per backend and template "
        "size (%s MB): creates a template and fills it once (tables "
        "customers, products and orders with two foreign keys and two "
        "indexes, rows of text and integers, a view; on MariaDB also a "
        "trigger; the row counts are set per backend to reach the size, "
        "which is then measured: the SQLite file or serialized image, "
        "PostgreSQL's pg_database_size, which includes the 7.5 MB catalog "
        "of every new database, MariaDB's data_length + index_length after "
        "ANALYZE TABLE); then, repeated %s times: Clone for one worker, "
        "CloneAll for N = %s, Verify of every clone (one after the other, "
        "as the coordinator does), Drop. For in-memory SQLite each clone is "
        "also "
        "attached (deserialized) by a new process, the workers' part; for "
        "MariaDB the template is also copied with `mariadb-dump | mariadb`. "
        "Times are medians over those repeats; the fill and the first clone "
        "are measured once. The servers run on this machine on unix "
        "sockets and share its cores with the benchmark: %s.\n"
        % (", ".join("%g" % z for z in sizes),
           " / ".join(str(r) for r in reps),
           ", ".join(str(n) for n in workers),
           "; ".join(sorted({s["server"] for s in sums if s["server"]}))))

    add("Templates:\n")
    add("| backend | size asked | real size MB | rows (orders / customers "
        "/ products) | CreateTemplate ms | FillTemplate s | first Clone ms "
        "(of which one-time preparation) |")
    add("|---|---|---|---|---|---|---|")
    for s in sums:
        r = s["rows"]
        add("| %s | %g MB | %.1f | %d / %d / %d | %s | %s | %s (%s) |" % (
            s["label"], s["size_mb"], s["template_mb"], r["orders"],
            r["customers"], r["products"], _ms(s["create_ms"], "%.1f"),
            _s(s["fill_ms"]), _ms(s["first_clone_ms"]), _ms(s["prep_ms"])))
    add("")

    add("Clones (ms; per worker = CloneAll time / N):\n")
    head = "| backend | template MB | one Clone ms (min–max) |"
    rule = "|---|---|---|"
    for n in workers:
        head += " CloneAll N=%d ms (per worker) |" % n
        rule += "---|"
    head += " CloneAll N=%d / one Clone | Verify ms per clone |" % workers[-1]
    rule += "---|---|"
    add(head)
    add(rule)
    for s in sums:
        cells = ["%s" % s["label"], "%.1f" % s["template_mb"],
                 "%s (%s–%s)" % (_ms(s["clone_ms"], "%.1f"),
                                 _ms(s["clone_min"], "%.1f"),
                                 _ms(s["clone_max"], "%.1f"))]
        for n in workers:
            w = s["workers"][n]
            cells.append("%s (%s)" % (_ms(w["clone_ms"], "%.1f"),
                                      _ms(w["per_worker_ms"], "%.1f")))
        last = s["workers"][workers[-1]]
        # In-memory SQLite clones cost nothing here (workers copy).
        cells.append("%.2fx" % (last["clone_ms"] / s["clone_ms"])
                     if s["kind"] != "sqlite_memory" else "—")
        cells.append(_ms(last["verify_ms"] / workers[-1], "%.1f"))
        add("| " + " | ".join(cells) + " |")
    add("")

    add("Total database setup of a run with N workers (s): CreateTemplate + "
        "FillTemplate + one-time preparation + CloneAll(N) + Verify of the "
        "N clones; for in-memory SQLite also the slowest of the N workers "
        "attaching at once:\n")
    add("| backend | template MB | " +
        " | ".join("N=%d" % n for n in workers) + " |")
    add("|---|---|" + "---|" * len(workers))
    for s in sums:
        add("| %s | %.1f | %s |" % (
            s["label"], s["template_mb"],
            " | ".join(_s(s["workers"][n]["total_ms"]) for n in workers)))
    add("")

    mem = [s for s in sums if s["kind"] == "sqlite_memory"]
    if mem:
        add("SQLite in-memory: a worker attaching its clone (Attach() timed "
            "in a newly spawned process with a backend of its own: reading "
            "the serialized template and loading it into the process's "
            "named in-memory database):\n")
        add("| template MB | one worker: Attach ms | ms per MB | " +
            " | ".join("N=%d at once: slowest ms" % n for n in workers) +
            " |")
        add("|---|---|---|" + "---|" * len(workers))
        for s in mem:
            add("| %.1f | %s | %s | %s |" % (
                s["template_mb"], _ms(s["attach_ms"], "%.1f"),
                _ms(s["attach_ms_per_mb"], "%.2f"),
                " | ".join(_ms(s["workers"][n]["attach_max_ms"], "%.1f")
                           for n in workers)))
        add("")
    maria = [s for s in sums if s["kind"] == "mariadb"]
    if maria:
        add("MariaDB: one Clone against copying the same template with the "
            "client programs (`mariadb -e 'CREATE DATABASE ...'`, then "
            "`mariadb-dump --single-transaction --routines --triggers | "
            "mariadb`):\n")
        add("| template MB | Clone ms (verified against the template) | "
            "mariadb-dump \\| mariadb ms | dump \\| load / Clone |")
        add("|---|---|---|---|")
        for s in maria:
            add("| %.1f | %s | %s | %s |" % (
                s["template_mb"], _ms(s["clone_ms"]), _ms(s["dump_load_ms"]),
                "%.2fx" % (s["dump_load_ms"] / s["clone_ms"])
                if s["dump_load_ms"] else "—"))
        add("")
    add("What limits each figure:\n")
    for sentence in setup_limits(sums, workers,
                                 int(data["machine"]["usable_cpus"])):
        add("* " + sentence)
    add("")
    return lines


def setup_limits(sums, workers, cores):
    """One sentence per backend on what its clone times are made of."""
    out = []
    big = workers[-1]

    def rate(s):
        return s["template_mb"] / (s["clone_ms"] / 1e3) if s["clone_ms"] \
            else 0.0

    def each(kind, text):
        mine = [s for s in sums if s["kind"] == kind]
        if mine:
            out.append(text(mine))

    def throttled(m):
        slow = [s for s in m if s["workers"][big]["clone_ms"] >
                1.5 * big * s["clone_ms"]]
        return "" if not slow else (
            " When %d copies take much longer than %d single ones (%s), "
            "the disk sets the pace: the kernel holds a writer back once "
            "too much unwritten data has piled up." % (big, big, ", ".join(
                "%.0f MB: %.0f ms against %d x %.0f ms" % (
                    s["template_mb"], s["workers"][big]["clone_ms"], big,
                    s["clone_ms"]) for s in slow)))

    each("sqlite_file", lambda m: (
        "**SQLite file**: a clone is a copy of the template file (after a "
        "WAL checkpoint): %s; CloneAll copies the files one after the "
        "other, so N=%d costs about %d copies (%s).%s Verify opens both "
        "files and compares them (quick_check, tables, row counts), which "
        "costs more than the copy (%s ms per clone)." % (
            ", ".join("%.1f ms for %.0f MB (%.0f MB/s)" % (
                s["clone_ms"], s["template_mb"], rate(s)) for s in m),
            big, big, ", ".join("%.0f ms" % s["workers"][big]["clone_ms"]
                                for s in m), throttled(m),
            ", ".join("%.0f" % s["verify_ms"] for s in m))))
    each("sqlite_memory", lambda m: (
        "**SQLite in-memory**: the first Clone serializes the template to "
        "a file once (%s); later clones cost nothing in the coordinator "
        "and Verify only checks that the image is there. The copy is "
        "made by each worker instead: Attach reads the image and copies "
        "it page by page into the worker's named in-memory database "
        "(%s). Workers attaching at once share the cores and the memory "
        "bandwidth: the slowest of %d took %s." % (
            ", ".join("%.0f ms for %.0f MB" % (s["prep_ms"], s["template_mb"])
                      for s in m),
            ", ".join("%.1f ms for %.0f MB, %.2f ms/MB" % (
                s["attach_ms"], s["template_mb"], s["attach_ms_per_mb"])
                for s in m if s["attach_ms"] is not None),
            big, ", ".join("%.0f ms" % (s["workers"][big]["attach_max_ms"]
                                        or 0) for s in m))))
    def server_cpu(ms):
        return "" if ms is None else ", %.0f ms of server CPU" % ms

    each("postgresql", lambda m: (
        "**PostgreSQL**: a clone is `CREATE DATABASE ... TEMPLATE ... "
        "STRATEGY FILE_COPY`, which copies the template's files and makes "
        "the server checkpoint; the first one also marks the template and "
        "stores its fingerprint for Verify (%s of one-time preparation). "
        "CloneAll makes up to 8 at once on connections of their own, but "
        "the copies are the server's CPU work on %d cores: %s. Verify "
        "compares the clone's fingerprint (relations, row counts) with the "
        "template's (%s ms per clone)." % (
            ", ".join("%.0f ms at %.0f MB" % (s["prep_ms"], s["template_mb"])
                      for s in m), cores,
            "; ".join("%.0f MB: one Clone %.0f ms%s, N=%d %.0f ms%s" % (
                s["template_mb"], s["clone_ms"],
                server_cpu(s["server_cpu_ms"]), big,
                s["workers"][big]["clone_ms"],
                server_cpu(s["workers"][big]["server_cpu_ms"]))
                for s in m),
            ", ".join("%.0f" % s["verify_ms"] for s in m))))
    each("mariadb", lambda m: (
        "**MariaDB**: there is no file-level copy: a clone re-creates the "
        "tables from SHOW CREATE TABLE and copies every row with INSERT "
        "... SELECT inside the server, then re-creates the view and the "
        "trigger and compares the clone with the template before marking "
        "it complete; CloneAll makes the clones one after the other (%s). "
        "mariadb-dump | mariadb does the same work through SQL text: the "
        "dump is formatted, parsed and inserted again by a client (%s)." % (
            "; ".join("%.0f MB: one Clone %.0f ms%s, N=%d %.0f ms" % (
                s["template_mb"], s["clone_ms"],
                server_cpu(s["server_cpu_ms"]), big,
                s["workers"][big]["clone_ms"]) for s in m),
            ", ".join("%.0f ms for %.0f MB" % (s["dump_load_ms"] or 0,
                                               s["template_mb"])
                      for s in m))))
    return out


# ---------------------------------------------------------------------------
# dbreset: running
# ---------------------------------------------------------------------------

def _parse_reset_lines(text):
    """[(size MB, template MB)] and {(size MB, case): figures} of the JSON
    lines reset_bench --json printed (those of a size it finished)."""
    templates, cases = [], {}
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if not isinstance(item, dict):
            continue
        if "case" in item:
            cases[(item["size_mb"], item["case"])] = dict(
                median_ms=item["median_ms"], p90_ms=item["p90_ms"],
                repeats=item["repeats"])
        elif "template_mb" in item:
            templates.append((item["size_mb"], item["template_mb"]))
    return templates, cases


def run_reset(runner, program, mode, urls, log):
    """Runs reset_bench for every backend (all template sizes in one run),
    after waiting for a quiet machine; returns [result] (one per backend
    and size: kind, label, sizes, {case: figures}) and appends failures to
    runner.failures."""
    plan = RESET_SIZES[mode]
    results = []
    run_dir = os.path.join(runner.out_dir, "runs", RESET)
    os.makedirs(run_dir, exist_ok=True)
    for kind, label, _ in SETUP_KINDS:
        logf = os.path.join(run_dir, kind + ".log")
        runner.wait_quiet(runner.args.max_wait)
        # The URL goes in the environment, out of sight of ps.
        env = dict(runner.env, BENCH_DB_URL=urls[kind])
        cmd = [program, "--sizes", ",".join("%d" % z
                                            for z in plan["sizes_mb"]),
               "--repeats", str(plan["resets"]), "--json"]
        started = time.monotonic()
        error = None
        try:
            with open(logf, "w") as err:
                done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=err,
                                      env=env, text=True,
                                      timeout=runner.args.timeout)
            out = done.stdout
            if done.returncode != 0:
                error = ("gtest_parallel_reset_bench exited with status %d "
                         "(see %s)" % (done.returncode, logf))
        except subprocess.TimeoutExpired as e:
            out = e.stdout or ""
            if isinstance(out, bytes):
                out = out.decode(errors="replace")
            error = "timed out after %g s (see %s)" % (runner.args.timeout,
                                                       logf)
        wall_s = time.monotonic() - started
        with open(os.path.join(run_dir, kind + ".json"), "w") as f:
            f.write(out)
        templates, cases = _parse_reset_lines(out)
        for size, template_mb in templates:
            mine = {name: cases[(size, name)] for name, _ in RESET_CASES
                    if (size, name) in cases}
            if len(mine) < len(RESET_CASES) and error is None:
                error = "no figures for every case at %d MB (see %s)" % (
                    size, logf)
            results.append(dict(kind=kind, label=label, size_mb=size,
                                template_mb=template_mb, cases=mine))
        if error is None and len(templates) < len(plan["sizes_mb"]):
            error = "no figures for every size (see %s)" % logf
        if error:
            log("[%s] %s FAILED: %s" % (RESET, label, error))
            runner.failures.append((RESET, kind, redact(error)))
            continue
        log("[%s] %-17s %s MB: %.1f s" % (
            RESET, label, ", ".join("%d" % z for z in plan["sizes_mb"]),
            wall_s))
    return results


# ---------------------------------------------------------------------------
# dbreset: targets and report
# ---------------------------------------------------------------------------

def reset_targets(data):
    """[(description, value or None, limit, format, better, reason)] of
    dbreset: per backend, the worst median Reset over the sizes after a
    test that changed nothing, and over the sizes and both tables after one
    that changed a few rows."""
    results = data.get(RESET) or []
    sizes = sorted({r["size_mb"] for r in results}) or \
        RESET_SIZES[data["mode"]]["sizes_mb"]
    size_text = " and ".join("%d" % z for z in sizes) + " MB"
    out = []

    def worst(kind, names):
        """The highest median of the cases names of kind, with its p90 and
        where; None when one is missing."""
        found = []
        for r in results:
            if r["kind"] != kind:
                continue
            for name in names:
                if name not in r["cases"]:
                    return None
                found.append((r["cases"][name]["median_ms"],
                              r["cases"][name]["p90_ms"], r["size_mb"], name))
        if len(found) < len(sizes) * len(names):
            return None
        return max(found)

    for kind, label, _ in SETUP_KINDS:
        w = worst(kind, ["unchanged"])
        out.append((
            "dbreset: %s, Reset after a test that changed nothing (median, "
            "worst of the %s templates)" % (label, size_text),
            w[0] if w else None, RESET_UNCHANGED_MS, "%.2f ms", "lower",
            "%d MB: p90 %.2f ms; a Reset with no change runs the schema check "
            "and reads the change log" % (w[2], w[1]) if w else None))
    for kind, label, _ in SETUP_KINDS:
        w = worst(kind, RESET_CHANGED)
        out.append((
            "dbreset: %s, Reset after 3 inserts, 2 updates, 1 delete (median, "
            "worst of the small and the big table, %s templates)"
            % (label, size_text),
            w[0] if w else None, RESET_CHANGED_MS[kind], "%.2f ms", "lower",
            "%s table at %d MB: p90 %.2f ms; the logged rows are copied back "
            "from the template" % (w[3].rsplit(" ", 1)[1], w[2], w[1])
            if w else None))
    return out


def reset_report(data):
    """The Markdown lines of the per-test reset section."""
    results = data.get(RESET) or []
    lines = []
    add = lines.append
    add("## Per-test database reset (`dbreset`)\n")
    failed = [f for f in data["failures"] if f[0] == RESET]
    if not results:
        add("Not measured%s.\n" % (" (failed: see Failures)" if failed
                                   else ""))
        return lines
    sizes = sorted({r["size_mb"] for r in results})
    resets = sorted({c["repeats"] for r in results
                     for name, c in r["cases"].items()
                     if name != RESET_CASES[-1][0]})
    add("[reset/reset_bench.cc](reset/reset_bench.cc) "
        "(`gtest_parallel_reset_bench`), once per backend: for each "
        "template size (%s MB) it makes a template (one big table holding "
        "the bulk of the rows; small tables: `categories`, `items` "
        "referencing them, 200 rows, `notes` without a primary key), "
        "prepares it for the per-test reset (`PrepareReset`), clones it, "
        "and times `Backend::Reset` of the clone %s times per case after a "
        "test that ran on a session kept open; `Restore()` (the clone made "
        "again from the template) is timed 3 times for comparison. "
        "`PrepareReset` adds triggers to the template that log the key of "
        "every row a test inserts, updates or deletes; `Reset` checks the "
        "schema and the log, and copies back from the template only the "
        "logged rows, so its cost follows what the test changed, not the "
        "template's size (see [backends/README.md]"
        "(../backends/README.md#reset-after-each-test)).\n"
        % (", ".join("%d" % z for z in sizes),
           " / ".join("%d" % n for n in resets)))
    add("| backend | template size (asked / measured) | case | median ms "
        "| p90 ms |")
    add("|---|---|---|---|---|")
    for r in results:
        for name, text in RESET_CASES:
            c = r["cases"].get(name)
            add("| %s | %d MB / %.1f MB | %s | %s | %s |" % (
                r["label"], r["size_mb"], r["template_mb"], text,
                _ms(c["median_ms"] if c else None, "%.3f"),
                _ms(c["p90_ms"] if c else None, "%.3f")))
    add("")
    add("The measured size is the one the database reports (SQLite: pages "
        "x page size; PostgreSQL: `pg_database_size`, its 7.5 MB catalog "
        "and the pristine copies of the tables included; MariaDB: data and "
        "index length after `ANALYZE TABLE`).\n")
    return lines


# ---------------------------------------------------------------------------
# Database-bound workloads: report texts
# ---------------------------------------------------------------------------

def ideal_text(workload):
    """How the report's ideal is meant for a database-bound workload."""
    limit = (" No ideal when the tests take less than %.0f ms on average: "
             "the report gives each test's time in whole milliseconds, cut, "
             "so their sum falls short." % (MIN_MEAN_S * 1e3))
    if uses_server(workload):
        return (" Ideal = max(sum / N, longest), a lower bound only: the "
                "tests partly wait on the database server and partly need a "
                "core, which they share with the server." + limit)
    return (" Ideal = max(sum / N, longest), a lower bound only: the tests "
            "partly wait for the disk (SQLite syncs every commit) and partly "
            "need a core." + limit)


def workload_description(w):
    z = w["size"]
    return (
        "%d tests (%d suites x %d) on %s, each opening a connection to its "
        "process's database and running %d transactions (BEGIN; INSERT of "
        "two rows; UPDATE; SELECT with a join; COMMIT) on a schema of two "
        "tables with a foreign key and an index ([db/schema.sql]"
        "(db/schema.sql)). The gtest_parallel build declares the database "
        "with gtest_parallel's API (a template, one clone per worker); the "
        "gtest_main build (serial, ctest, static sharding) makes a database "
        "per process in a global test environment with the backend API "
        "(create, fill with the schema, drop at the end), as a hand-written "
        "harness would"
        % (w["tests"], z["suites"], z["per_suite"],
           BACKENDS[w["workload"]]["label"], z["transactions"]))


def limits_text(w, cores, rows, span):
    """One sentence per figure of a database-bound workload; rows(cid)
    gives a contender's row (None if it did not run), span(rows, key) a
    'a–b' text of ms."""
    out = []
    tests = w["tests"]
    serial, gp1 = rows("serial"), rows("gp1")
    gps = [rows(c) for c in ("gp2", "gp4", "gp8", "gp16") if rows(c)]
    if serial:
        body = serial["wall"] - (serial["startup"] or 0) - \
            (serial["winddown"] or 0)
        out.append(
            "**serial**: one process: %s ms of start-up before the first "
            "test, most of it making the process's database (connecting, "
            "creating it, running the schema), then the tests (%.3f s from "
            "the first test's start to the last one's end, %.2f ms per "
            "test: a new connection and %d transactions%s) and %s ms of "
            "wind-down, which includes dropping the database." % (
                span([serial], "startup"), body, body / tests * 1e3,
                w["size"]["transactions"],
                "; PostgreSQL starts a server process for every connection"
                if w["workload"] == "db_postgresql" else "",
                span([serial], "winddown")))
    if gp1:
        out.append(
            "**gtest_parallel N=1**: plain GoogleTest in one process, with "
            "its one database made through the same API (start-up %s ms)."
            % span([gp1], "startup"))
    if gps:
        gp2 = rows("gp2")
        floor = ""
        if gp2:
            cpu = gp2["cpu"] + (gp2.get("server_cpu") or 0.0)
            floor = (
                " At N=2 the test processes%s used %.2f s of CPU: at least "
                "%.2f s of wall time on %d cores, against %.2f s measured."
                % (" and the database server" if gp2.get("server_cpu")
                   is not None else "", cpu, cpu / cores, cores, gp2["wall"]))
        out.append(
            "**gtest_parallel N>=2**: start-up is %s ms over N=2..16: before "
            "the first test the coordinator makes the template, runs the "
            "schema, clones it for each of the N workers and verifies the "
            "clones, and each worker attaches to its clone; wind-down %s ms "
            "includes dropping them. In between, %s share %d cores.%s" % (
                span(gps, "startup"), span(gps, "winddown"),
                "the tests, the coordinator and the database server"
                if uses_server(w["workload"]) else
                "the tests (which also wait for the disk's syncs) and the "
                "coordinator", cores, floor))
    for cid in [c for c in w["order"] if w["rows"][c]["kind"] == "ctest"]:
        row = rows(cid)
        if row:
            out.append(
                "**%s**: one process per test, each making, filling and "
                "dropping a database of its own around its one test "
                "(%.1f ms of slot time per test); run once, not repeated."
                % (row["label"], row["wall"] * row["n"] / tests * 1e3))
    sh = [rows(c) for c in ("shard2", "shard4", "shard8", "shard16")
          if rows(c)]
    if sh:
        out.append(
            "**static sharding**: N processes, each making its own database "
            "before its first test (start-up %s ms) and dropping it at the "
            "end (wind-down %s ms), and running 1/N of the tests."
            % (span(sh, "startup"), span(sh, "winddown")))
    return out

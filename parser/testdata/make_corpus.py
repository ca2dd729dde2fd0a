#!/usr/bin/env python3
# Rebuilds corpus.sql for the parser's differential test: SQL shipped with PostgreSQL 15 and pgpool2 on
# Debian (psql meta-commands removed), plus queries derived from the view definitions in it (SELECT,
# EXPLAIN, WITH, subquery, cursor, COPY, PREPARE and locking forms). Derived statements are kept only
# when libpg_query parses them. Usage: make_corpus.py > corpus.sql
import ctypes
import glob
import re
import sys

SOURCES = ["/usr/share/postgresql/15/system_views.sql", "/usr/share/postgresql/15/information_schema.sql",
           "/usr/share/postgresql/15/system_functions.sql", "/usr/share/postgresql/15/system_constraints.sql",
           "/usr/share/pgpool2/insert_lock.sql"] + sorted(glob.glob("/usr/share/postgresql/15/extension/*.sql"))


class ParseResult(ctypes.Structure):
    _fields_ = [("tree", ctypes.c_char_p), ("stderr", ctypes.c_char_p), ("error", ctypes.c_void_p)]


lib = ctypes.CDLL("libpg_query.so")
lib.pg_query_parse.restype = ParseResult
lib.pg_query_parse.argtypes = [ctypes.c_char_p]
lib.pg_query_free_parse_result.argtypes = [ParseResult]


def parses(sql):
    r = lib.pg_query_parse(sql.encode())
    ok = not r.error
    lib.pg_query_free_parse_result(r)
    return ok


def clean(text):
    text = text.replace("@extschema@", "public").replace("@extowner@", "postgres")
    return "\n".join(l for l in text.splitlines() if not l.startswith("\\"))


def view_queries(text):
    for m in re.finditer(r"CREATE (?:OR REPLACE )?VIEW [\w.\"]+(?:\s*\([^)]*\))?\s+AS\s+(.*?);\s*$", text,
                         re.S | re.M | re.I):
        body = m.group(1).strip()
        if re.match(r"(SELECT|WITH|VALUES)\b", body, re.I) and "\n;" not in body:
            yield body


def variants(q, i):
    yield q
    yield "EXPLAIN " + q
    yield "EXPLAIN (COSTS OFF, VERBOSE) " + q
    yield "WITH q%d AS (%s) SELECT * FROM q%d" % (i, q, i)
    yield "SELECT * FROM (%s) AS sub%d LIMIT 10" % (q, i)
    yield "SELECT count(*) FROM (%s) s WHERE true" % q
    yield "DECLARE c%d CURSOR FOR %s" % (i, q)
    yield "COPY (%s) TO STDOUT" % q
    yield "PREPARE p%d AS %s" % (i, q)
    if i % 3 == 0:
        yield "(%s) UNION ALL (%s)" % (q, q)
        yield q + " FOR UPDATE"
        yield "WITH d AS (DELETE FROM t%d RETURNING *) %s" % (i, q)
        yield "CREATE TEMP TABLE tmp%d AS %s" % (i, q)
        yield "INSERT INTO t%d %s" % (i, q)
        yield "EXPLAIN ANALYZE " + q
        yield "COPY (%s) TO '/tmp/out%d.csv'" % (q, i)


def generated_reads():
    """Reads over the views and settings PostgreSQL ships, and the session statements around them."""
    views = set()
    for path in SOURCES[:2]:
        views.update(re.findall(r"CREATE (?:OR REPLACE )?VIEW ([\w.]+)", open(path).read(), re.I))
    for i, v in enumerate(sorted(views)):
        yield "SELECT * FROM %s" % v
        yield "TABLE %s" % v
        yield "SELECT count(*), min(1) FROM %s AS v%d WHERE v%d IS NOT NULL" % (v, i, i)
        yield "SELECT * FROM %s LIMIT 5 OFFSET %d" % (v, i)
        yield "SELECT x.* FROM %s x JOIN pg_class c ON c.oid IS NOT NULL ORDER BY 1 FETCH FIRST 3 ROWS ONLY" % v
        yield "SELECT EXISTS (SELECT 1 FROM %s) AS present" % v
        yield "/* comment */ (SELECT * FROM %s) UNION (SELECT * FROM %s) -- trailing" % (v, v)
        yield "SELECT * FROM %s FOR SHARE OF %s SKIP LOCKED" % (v, v.split(".")[-1])
        yield "SELECT * INTO TEMP copy_%d FROM %s" % (i, v)
        yield "VALUES (%d, '%s'), (2, E'it\\'s')" % (i, v)
    conf = open("/usr/share/postgresql/15/postgresql.conf.sample").read()
    for name in sorted(set(re.findall(r"^#?(\w+) = ", conf, re.M))):
        yield "SHOW %s" % name
        yield "SET %s TO DEFAULT" % name
        yield "SET LOCAL %s TO DEFAULT" % name
        yield "RESET %s" % name
        yield "SELECT current_setting('%s'), pg_catalog.current_setting('%s', true)" % (name, name)


def main():
    out = sys.stdout
    derived = []
    for path in SOURCES:
        text = clean(open(path, encoding="utf-8", errors="replace").read())
        out.write("-- source: %s\n%s\n;\n" % (path, text))
        derived.extend(view_queries(text))
    out.write("-- derived from the view definitions above\n")
    for i, q in enumerate(derived):
        for v in variants(q, i):
            if parses(v):
                out.write(v + "\n;\n")
    for stmt in generated_reads():
        if parses(stmt):
            out.write(stmt + "\n;\n")


main()

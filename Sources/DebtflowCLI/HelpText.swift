/// Help texts: printed to stdout with exit 0 (`--help`), or named in usage errors.
enum HelpText {
    static let version = "debtflow 0.1.0"

    static let main = """
    debtflow — streaming ETL for debt-collection imports

    USAGE:
      debtflow run PIPELINE.json [--dry-run] [--limit N] [--progress auto|always|never]
                                 [--log-format text|json] [--summary PATH] [--metrics PATH]
                                 [--resume] [--retry-unknown] [--shard I/N]
      debtflow check PIPELINE.json [--deep] [--shard I/N]
                                            validate the config and reach every input; write nothing
                                            (--deep: also read every input through)
      debtflow schema                       print the JSON Schema of pipeline configs (editor completion and checking)
      debtflow phone [--region FR] [NUMBER ...]   normalize and classify phone numbers (else one per stdin line)
      debtflow sandbox [--port N] [--debtors PATH] [--ledger PATH] [--token T] [fault options]
      debtflow generate --rows N [--format csv|json|ndjson|xml] [--gzip] [--seed S] [--out PATH]
      debtflow --help | debtflow COMMAND --help | debtflow --version

    EXIT CODES:
      0 finished, none failed · 1 some records failed · 2 usage/config error · 3 input error
      4 sink error (push target, credentials, disk) · 130 interrupted

    Data goes to files or stdout; progress, warnings and the summary go to stderr.
    Docs: README.md (start there), docs/config.md (pipeline config), docs/troubleshooting.md (errors).
    """

    static let run = """
    USAGE: debtflow run PIPELINE.json [options]

    Runs a pipeline to the end of its input. Outputs are published atomically when the run finishes
    (exit 0 or 1); on exit 3, 4 or 130 no data file is published half-written.

    OPTIONS:
      --dry-run                 read, map and validate; an http sink writes what it would send
                                (to its `results` path + ".dry-run.ndjson") and sends nothing;
                                ndjson outputs are not published
      --limit N                 stop after N source records
      --progress auto|always|never
                                live progress line on stderr (auto: only when stderr is a terminal)
      --log-format text|json    format of stderr messages and the summary (default text)
      --summary PATH            also write the end-of-run summary as one JSON object to PATH
      --metrics PATH            write the run's figures for Prometheus (node_exporter's textfile
                                collector: PATH ends in .prom) on every exit, failures included;
                                series and alert rules: docs/deploying.md
      --resume                  continue an interrupted push from the http sink's journal
      --retry-unknown           with --resume: resend batches recorded as `unknown`
      --shard I/N               read only the input files whose CRC-32 of their matched path is
                                I mod N (0 ≤ I < N): N runs split one folder with no coordination;
                                give each shard its own outputs, results and journal (${SHARD})
      --help                    show this help
    """

    static let check = """
    USAGE: debtflow check PIPELINE.json [--deep] [--shard I/N]

    Validates the pipeline config (exit 2 with the JSON path of the first problem), lists the
    input files a glob or an array matched, opens every input (exit 3 when it cannot be read or a
    pattern matches nothing) and checks that every output folder exists and is writable. Writes
    nothing.

    OPTIONS:
      --deep                    also read every input through (inflate and parse, no rules) and
                                report its records: a truncated or corrupt file is exit 3 with the
                                message a run would give
      --shard I/N               only this shard's inputs (see `debtflow run --help`)
    """

    static let schema = """
    USAGE: debtflow schema

    Prints the JSON Schema (draft 2020-12) of pipeline configs to stdout: every stage, option,
    type, default and allowed value, written from the same descriptions the config decoder reads
    with. The repository ships it as pipelines/debtflow.schema.json. Point an editor at it for
    completion and checking as you type (a top-level "$schema": "debtflow.schema.json" in a
    config, or VS Code's json.schemas setting), or check configs on the command line:
      debtflow schema > debtflow.schema.json
      check-jsonschema --schemafile debtflow.schema.json pipelines/*.json
    The schema checks keys, types and names; `debtflow check` also checks the stage order,
    environment variables, inputs and output folders. See docs/config.md, "Editor completion and
    checking".
    """

    static let phone = """
    USAGE: debtflow phone [--region FR] [NUMBER ...]

    Normalizes each NUMBER (or each stdin line, blank lines included) to E.164 and prints one JSON
    line per input, in input order:
      {"input":"06 90 12 34 56","valid":true,"e164":"+590690123456","country":"GP","zone":"dom_tom","credits":100,"multiplier":4.0,"expensive":true}
      {"input":"12","valid":false,"error":"…"}
    Exit 0 when all are valid, 1 otherwise.

    OPTIONS:
      --region CC   default region for national numbers (default FR)
    """
}

"""``python -m atomik.benchmark``: every claim of the delta-state pitch, measured against its peer.

Each row runs the atomik operation and the real alternative in the same process, in the same run,
and reports both absolute medians and their ratio (``peer / atomik``: above 1 means atomik is
faster or smaller). Timings use ``time.perf_counter_ns`` with warm-ups, several repeats and
medians; numba compilation (or loading the on-disk cache) happens before any timed call and is
reported on its own. Output: a rich table on the terminal and, in ``--out``: ``results.json``
(every figure plus machine info), ``table.md`` and PNG plots.

Needs the ``bench`` extra (``pip install 'atomik-delta[bench]'``): matplotlib, eventsourcing,
pycrdt and the published SDK atomik-core.

The package: :mod:`~atomik.benchmark.config` (sizes, constants), :mod:`~atomik.benchmark.measure`
(shared timing and machine-info helpers), :mod:`~atomik.benchmark.peers` (the eventsourcing peer),
the rows (:mod:`~atomik.benchmark.rows_state` rows 1-4, :mod:`~atomik.benchmark.rows_replicas`
row 5, :mod:`~atomik.benchmark.rows_kernels` row 6, :mod:`~atomik.benchmark.per_event` row 7,
:mod:`~atomik.benchmark.rows_hybrid` hybrid and ingest), :mod:`~atomik.benchmark.report` (tables,
README block), :mod:`~atomik.benchmark.plots` and :mod:`~atomik.benchmark.cli` (the driver and
``main``). Imports go one way: config, measure, peers, report <- rows <- cli <- this package.
"""

from __future__ import annotations

from atomik.benchmark.cli import (
    ROWS as ROWS,
)
from atomik.benchmark.cli import (
    check_bench_deps as check_bench_deps,
)
from atomik.benchmark.cli import (
    main as main,
)
from atomik.benchmark.cli import (
    resolve_out as resolve_out,
)
from atomik.benchmark.cli import (
    run as run,
)
from atomik.benchmark.config import (
    BENCH_DEPS as BENCH_DEPS,
)
from atomik.benchmark.config import (
    DEFAULT_OUT as DEFAULT_OUT,
)
from atomik.benchmark.config import (
    DEFAULT_QUICK_OUT as DEFAULT_QUICK_OUT,
)
from atomik.benchmark.config import (
    WHERE_THE_LOG_WINS as WHERE_THE_LOG_WINS,
)
from atomik.benchmark.config import (
    BenchConfig as BenchConfig,
)
from atomik.benchmark.config import (
    U64Array as U64Array,
)
from atomik.benchmark.measure import (
    _best_loop as _best_loop,
)
from atomik.benchmark.measure import (
    _cmp as _cmp,
)
from atomik.benchmark.measure import (
    _cpu_model as _cpu_model,
)
from atomik.benchmark.measure import (
    _first_call_ns as _first_call_ns,
)
from atomik.benchmark.measure import (
    _loadavg as _loadavg,
)
from atomik.benchmark.measure import (
    _loop_ns as _loop_ns,
)
from atomik.benchmark.measure import (
    _mem_total_bytes as _mem_total_bytes,
)
from atomik.benchmark.measure import (
    _time_once as _time_once,
)
from atomik.benchmark.measure import (
    _version as _version,
)
from atomik.benchmark.measure import (
    machine_info as machine_info,
)
from atomik.benchmark.measure import (
    measure as measure,
)
from atomik.benchmark.peers import (
    Register as Register,
)
from atomik.benchmark.peers import (
    _es_build as _es_build,
)
from atomik.benchmark.peers import (
    _es_stored_bytes as _es_stored_bytes,
)
from atomik.benchmark.peers import (
    _random_u64 as _random_u64,
)
from atomik.benchmark.peers import (
    _replay_list as _replay_list,
)
from atomik.benchmark.per_event import (
    _import_costs as _import_costs,
)
from atomik.benchmark.per_event import (
    row_per_event as row_per_event,
)
from atomik.benchmark.plots import (
    make_plots as make_plots,
)
from atomik.benchmark.report import (
    HEADERS as HEADERS,
)
from atomik.benchmark.report import (
    README_BEGIN as README_BEGIN,
)
from atomik.benchmark.report import (
    README_END as README_END,
)
from atomik.benchmark.report import (
    _fmt as _fmt,
)
from atomik.benchmark.report import (
    _fmt_bytes as _fmt_bytes,
)
from atomik.benchmark.report import (
    _fmt_ns as _fmt_ns,
)
from atomik.benchmark.report import (
    _rich_table as _rich_table,
)
from atomik.benchmark.report import (
    _row as _row,
)
from atomik.benchmark.report import (
    headline as headline,
)
from atomik.benchmark.report import (
    load_note as load_note,
)
from atomik.benchmark.report import (
    machine_line as machine_line,
)
from atomik.benchmark.report import (
    markdown_table as markdown_table,
)
from atomik.benchmark.report import (
    numba_line as numba_line,
)
from atomik.benchmark.report import (
    readme_block as readme_block,
)
from atomik.benchmark.report import (
    render_markdown as render_markdown,
)
from atomik.benchmark.report import (
    table_lines as table_lines,
)
from atomik.benchmark.report import (
    update_readme as update_readme,
)
from atomik.benchmark.rows_hybrid import (
    row_hybrid as row_hybrid,
)
from atomik.benchmark.rows_hybrid import (
    row_ingest as row_ingest,
)
from atomik.benchmark.rows_kernels import (
    numba_warmup as numba_warmup,
)
from atomik.benchmark.rows_kernels import (
    row_kernels as row_kernels,
)
from atomik.benchmark.rows_replicas import (
    _pycrdt_sync_round as _pycrdt_sync_round,
)
from atomik.benchmark.rows_replicas import (
    _pycrdt_workload as _pycrdt_workload,
)
from atomik.benchmark.rows_replicas import (
    _replica_workload as _replica_workload,
)
from atomik.benchmark.rows_replicas import (
    row_replicas as row_replicas,
)
from atomik.benchmark.rows_state import (
    row_reconstruction as row_reconstruction,
)
from atomik.benchmark.rows_state import (
    row_storage as row_storage,
)
from atomik.benchmark.rows_state import (
    row_undo as row_undo,
)
from atomik.benchmark.rows_state import (
    row_wire as row_wire,
)

__all__ = ["BenchConfig", "main", "run"]

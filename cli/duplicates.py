"""`lapor duplicates`: train, evaluate and apply the pair scorer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    FormatOption,
    console,
    err_console,
    user_errors,
)
from core.errors import LaporError
from core.files import file_sha256

app = typer.Typer(
    help="Link repeated reports of the same problem (never dropped).", no_args_is_help=True
)


PairsOption = Annotated[
    Path, typer.Option("--pairs", help="Labelled pairs: id_a,id_b,duplicate (others ignored).")
]
PairsDataOption = Annotated[Path, typer.Option("--data", help="The reports the pairs refer to.")]
ScorerOption = Annotated[
    str | None, typer.Option("--model", help="Scorer URI (default: the latest registered).")
]


@app.command("train")
@user_errors
def duplicates_train(
    data: PairsDataOption,
    pairs: PairsOption,
    fmt: FormatOption = "auto",
    synthetic: Annotated[
        int, typer.Option("--synthetic", min=0, help="Synthetic reports for extra chains.")
    ] = 3_000,
) -> None:
    """Fit the pair scorer and its threshold; register it as lapor-duplicates (challenger).

    The last line printed is its model URI.
    """
    from pipeline.dedupe import load_reports, read_pairs, train_scorer
    from pipeline.registry.pyfunc import LabelledPairs, log_duplicates

    reports = load_reports(data, fmt)
    scorer, metrics, kept = train_scorer(
        reports, read_pairs(pairs), synthetic_reports=synthetic, progress=err_console.log
    )
    config = {
        "data": str(data), "data_sha256": file_sha256(data), "pairs": str(pairs),
        "synthetic_reports": synthetic, "threshold": scorer.threshold_,
    }  # fmt: skip
    involved = set(kept["id_a"]) | set(kept["id_b"])
    pair_reports = [r for r in reports if r.id in involved]
    uri = log_duplicates(scorer, config, metrics, LabelledPairs(pair_reports, kept))
    console.print_json(json.dumps(metrics, ensure_ascii=False))
    print(uri)


@app.command("evaluate")
@user_errors
def duplicates_evaluate(
    data: PairsDataOption,
    pairs: PairsOption,
    fmt: FormatOption = "auto",
    model: ScorerOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the metrics here.")] = None,
) -> None:
    """Precision, recall and F1 on labelled pairs at the scorer's stored threshold."""
    from pipeline.dedupe import evaluate_pairs, load_reports, read_pairs
    from pipeline.registry.pyfunc import load_scorer

    metrics = evaluate_pairs(load_scorer(model), load_reports(data, fmt), read_pairs(pairs))
    if json_out:
        json_out.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    console.print_json(json.dumps(metrics))


@app.command("find")
@user_errors
def duplicates_find(
    data: Annotated[Path, typer.Option("--data", help="Reports to link.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Links and clusters: .csv or .parquet")],
    fmt: FormatOption = "auto",
    model: ScorerOption = None,
) -> None:
    """Link every report to an earlier one about the same problem; write clusters."""
    from pipeline.dedupe import find_links, load_reports
    from pipeline.ingest.containers import container_of
    from pipeline.registry.pyfunc import load_scorer

    if container_of(out) not in ("csv", "parquet"):
        raise LaporError(f"{out}: the output must be .csv or .parquet")
    scorer = load_scorer(model)
    reports = load_reports(data, fmt)
    with err_console.status(f"linking {len(reports):,} reports"):
        links = find_links(scorer, reports)
    (links.to_parquet if container_of(out) == "parquet" else links.to_csv)(out, index=False)
    repeated = links[links["cluster_size"] > 1]
    console.print(
        f"{len(links):,} reports, {int(links['duplicate_of'].notna().sum()):,} linked to an "
        f"earlier one, {repeated['cluster'].nunique():,} clusters of 2 or more; wrote {out}"
    )

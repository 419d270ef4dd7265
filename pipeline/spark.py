"""The Spark engine of the batch job: the same row conversion and Router, run by mapInPandas.

Spark reads the input itself (CSV/TSV, Parquet or JSONL), numbers the rows in file order, finds
repeated ids with a window, and every partition converts its rows with the importer's
RowConverter and classifies them with a broadcast copy of the Router. With a pair scorer,
duplicates are linked per regency (a report is only ever linked within its regency): each
regency's reports are indexed in input order and searched, as the local engine does. Output and
errors are written in input order, so the result equals the local engine's.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import LaporError
from core.schema import Report
from models.duplicates.features import Entry
from models.duplicates.index import DuplicateIndex
from models.triage import Triage
from pipeline.batch_output import ERROR_COLUMNS, output_columns, suggestion_frame
from pipeline.ingest.containers import container_of, sniff_delimiter
from pipeline.ingest.reader import ReportReader, RowConverter, RowError

ROW = "_row"
FIRST_ROW = "_first_row"
ERROR = "_error"
REPORT = "_report"
"""The converted report (JSON) of a good row, for the duplicate pass."""
REGENCY = "_regency"


def spark_session(master: str | None) -> Any:
    """A Spark session (local[*] unless a master URL is given) whose Python is this one."""
    from pyspark.sql import SparkSession  # heavy: only the Spark engine

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master or "local[*]")
        .appName("lapor-reclassify")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def _output_schema() -> Any:
    from pyspark.sql import types as T  # heavy: only the Spark engine

    fields = []
    for name in output_columns():
        if name.endswith("_score"):
            kind = T.DoubleType()
        elif name == "urgent":
            kind = T.BooleanType()
        else:
            kind = T.StringType()
        fields.append(T.StructField(name, kind, True))
    fields += [
        T.StructField(ROW, T.LongType(), False),
        T.StructField(ERROR, T.StringType(), True),
        T.StructField(REPORT, T.StringType(), True),
        T.StructField(REGENCY, T.StringType(), True),
    ]
    return T.StructType(fields)


def _read(spark: Any, path: Path) -> Any:
    container = container_of(path)
    if container in ("csv", "tsv"):
        return (
            spark.read.option("header", True)
            .option("multiLine", True)
            .option("escape", '"')
            .option("sep", sniff_delimiter(path))
            .option("encoding", "UTF-8")
            .csv(str(path))
        )
    if container == "parquet":
        return spark.read.parquet(str(path))
    if container == "jsonl":
        return spark.read.json(str(path))
    raise LaporError(f"{path}: the Spark engine reads CSV, TSV, Parquet or JSONL, not {container}")


def classify_partition(
    batches: Iterator[pd.DataFrame],
    converter: RowConverter,
    triage_bytes: Any,
    id_column: str | None,
) -> Iterator[pd.DataFrame]:
    """mapInPandas body: convert raw rows like the importer, classify the good ones."""
    triage = pickle.loads(triage_bytes.value)
    for batch in batches:
        good_rows, reports, errors = [], [], []
        for record in batch.to_dict("records"):
            number, first = int(record.pop(ROW)), record.pop(FIRST_ROW)
            raw_id = record.get(id_column) if id_column else None
            raw_id = None if raw_id is None or pd.isna(raw_id) else str(raw_id)
            try:
                if first is not None and not pd.isna(first) and int(first) != number:
                    raise RowError(
                        "duplicate id", f"duplicate id {raw_id!r} (first at row {int(first)})"
                    )
                reports.append(converter.convert(record, number, check_duplicates=False))
                good_rows.append(number)
            except RowError as error:
                errors.append({"id": raw_id, ROW: number, ERROR: error.detail})
        results = suggestion_frame(triage, reports)
        results[ROW] = good_rows
        results[ERROR] = None
        results[REPORT] = [report.model_dump_json() for report in reports]
        results[REGENCY] = [Entry.of(report).regency for report in reports]
        failed = pd.DataFrame(errors, columns=["id", ROW, ERROR])
        columns = [*output_columns(), ROW, ERROR, REPORT, REGENCY]
        combined = pd.concat([results, failed], ignore_index=True)[columns]
        # pandas' Arrow-backed strings do not cross into Spark; plain objects do
        strings = {c: object for c in combined.columns if pd.api.types.is_string_dtype(combined[c])}
        yield combined.astype(strings)


def link_regency(frame: pd.DataFrame, scorer_bytes: Any) -> pd.DataFrame:
    """applyInPandas body: one regency's reports indexed in input order and each searched for
    earlier ones (the local engine's duplicate pass, on one regency)."""
    frame = frame.sort_values(ROW)
    index = DuplicateIndex(pickle.loads(scorer_bytes.value))
    reports = [Report.model_validate_json(text) for text in frame[REPORT]]
    labels = frame[["agency", "topic"]].astype(object).where(frame[["agency", "topic"]].notna())
    index.add_many(reports, labels["agency"].tolist(), labels["topic"].tolist())
    links = [
        json.dumps([link.model_dump() for link in index.find_indexed(p)], ensure_ascii=False)
        for p in range(len(reports))
    ]
    return pd.DataFrame({ROW: frame[ROW].to_numpy(), "duplicates": links})


def _link_duplicates(spark: Any, result: Any, scorer: Any) -> Any:
    """The classified good rows with their ``duplicates`` filled in, regency by regency."""
    from pyspark.sql import functions as F  # heavy: only the Spark engine
    from pyspark.sql import types as T  # heavy: only the Spark engine

    scorer_bytes = spark.sparkContext.broadcast(pickle.dumps(scorer))
    schema = T.StructType(
        [T.StructField(ROW, T.LongType(), False), T.StructField("duplicates", T.StringType())]
    )
    links = (
        result.filter(F.col(ERROR).isNull())
        .select(ROW, REPORT, REGENCY, "agency", "topic")
        .groupBy(REGENCY)
        .applyInPandas(lambda frame: link_regency(frame, scorer_bytes), schema=schema)
    )
    return result.drop("duplicates").join(links, on=ROW, how="left")


def _single_file(frame: Any, output: Path, kind: str) -> None:
    """Write a Spark DataFrame as one file at ``output`` (Spark itself writes folders)."""
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        target = Path(tmp) / "out"
        writer = frame.coalesce(1).write.mode("overwrite")
        if kind == "parquet":
            writer.parquet(str(target))
        else:
            writer.option("header", True).option("escape", '"').csv(str(target))
        part = next(target.glob(f"part-*.{'parquet' if kind == 'parquet' else 'csv'}"))
        shutil.move(str(part), str(output))


def run_spark(
    input_path: Path,
    output: Path,
    reader: ReportReader,
    triage: Triage,
    master: str | None,
    scorer: Any = None,
) -> tuple[int, int]:
    """Reclassify ``input_path`` with Spark, linking duplicates with ``scorer`` when given;
    (rows written, rows failed)."""
    from pyspark.sql import Window  # heavy: only the Spark engine
    from pyspark.sql import functions as F  # heavy: only the Spark engine
    from pyspark.sql import types as T  # heavy: only the Spark engine

    spark = spark_session(master)
    raw = _read(spark, input_path)
    schema = T.StructType([*raw.schema.fields, T.StructField(ROW, T.LongType(), False)])
    numbered = spark.createDataFrame(
        raw.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 1)), schema
    )
    id_column = next((c for c, name in reader.columns.items() if name == "id"), None)
    if id_column is not None:
        first = F.min(ROW).over(Window.partitionBy(F.col(f"`{id_column}`")))
        numbered = numbered.withColumn(
            FIRST_ROW, F.when(F.col(f"`{id_column}`").isNull(), None).otherwise(first)
        )
    else:
        numbered = numbered.withColumn(FIRST_ROW, F.lit(None).cast(T.LongType()))
    converter = RowConverter(
        reader.format, reader.columns, reader.converter.topic_map, reader.converter.labels
    )
    triage_bytes = spark.sparkContext.broadcast(pickle.dumps(triage))
    # spread the rows over every core (a multi-line CSV is read as one partition)
    numbered = numbered.repartition(spark.sparkContext.defaultParallelism)
    result = numbered.mapInPandas(
        lambda batches: classify_partition(batches, converter, triage_bytes, id_column),
        schema=_output_schema(),
    ).cache()
    good = result.filter(F.col(ERROR).isNull())
    # counted on the cached classification: counting the linked frame would link again
    written = good.count()
    if scorer is not None:
        good = _link_duplicates(spark, good, scorer)
    good = good.orderBy(ROW).select(*output_columns())
    bad = result.filter(F.col(ERROR).isNotNull()).orderBy(ROW)
    bad = bad.select(F.col(ROW).alias("row"), "id", F.col(ERROR).alias("reason"))
    _single_file(good, output, container_of(output))
    errors = bad.toPandas()[list(ERROR_COLUMNS)]
    errors.to_csv(output.with_name(output.name + ".errors"), index=False)
    result.unpersist()
    return written, len(errors)

# Type stubs for editors: the names and arguments of the mpsim module (python/mpsim/__init__.py).
import os
from typing import Any, Mapping, Sequence, Union

import pandas

PathLike = Union[str, os.PathLike[str]]
MapArg = Union[PathLike, Mapping[str, Any], None]
Figures = dict[str, float]

class Error(ValueError): ...

class CostResult:
    network: str
    hardware: str
    engine: str
    area_mm2: float
    dram_energy_estimated: bool
    layers: list[dict[str, Any]]
    total: Figures
    def to_pandas(self) -> pandas.DataFrame: ...

class CostTable:
    network: str
    hardware: str
    area_mm2: float
    rows: list[dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

class SweepResult:
    axes: list[str]
    csv: str
    rows: list[dict[str, Any]]
    def to_pandas(self) -> pandas.DataFrame: ...

def simulate(
    hw: PathLike,
    network: PathLike,
    map: MapArg = None,
    set: Mapping[str, Any] | None = None,
    batch: int | None = None,
    resolve_groups: bool = False,
) -> CostResult: ...
def estimate(
    hw: PathLike,
    network: PathLike,
    map: MapArg = None,
    set: Mapping[str, Any] | None = None,
    batch: int | None = None,
    resolve_groups: bool = False,
) -> CostResult: ...
def cost_table(
    hw: PathLike,
    network: PathLike,
    set: Mapping[str, Any] | None = None,
    formats: Sequence[str] | None = None,
    batch: int | None = None,
) -> CostTable: ...
def sweep(
    hw: PathLike,
    network: PathLike,
    grid: Mapping[str, Sequence[Any]],
    map: MapArg = None,
    engine: str = "sim",
    batch: int | None = None,
    shard: str | None = None,
    resolve_groups: bool = False,
) -> SweepResult: ...
def quantize(
    values: Any,
    format: str,
    saturate: bool = True,
    scale: float | None = None,
    zero_point: int | None = None,
) -> Any: ...
class EvalResult:
    images: int
    top1: float
    top1_fp32: float
    agreement: float
    sqnr_db: float
    calibration: str | None
    calibration_images: int
    calibration_source: str
    normalization: dict[str, float] | None
    layers: list[dict[str, Any]]
    images_per_second: float
    def to_pandas(self) -> pandas.DataFrame: ...

def eval(
    model: PathLike,
    map: MapArg = None,
    dataset: PathLike = "fashion-mnist:test",
    labels: PathLike | None = None,
    limit: int = 0,
    calib: int = 1000,
    calib_data: PathLike | None = None,
    normalize: str | None = None,
    calibration: str = "mse",
    resolve_groups: bool = False,
    per_layer: bool = False,
    threads: int = 0,
) -> EvalResult: ...
class SearchResult:
    rows: list[dict[str, Any]]
    chosen: int
    best_uniform: int
    reference_quality: float | None  # greedy only
    quality_evaluations: int
    chosen_map: list[tuple[str, str, str]]
    out: str
    def to_pandas(self) -> pandas.DataFrame: ...

def search(
    hw: PathLike,
    model: PathLike,
    out: PathLike,
    method: str = "greedy",
    set: Mapping[str, Any] | None = None,
    **options: Any,
) -> SearchResult: ...
def hardware_names() -> list[str]: ...
def network_names() -> list[str]: ...

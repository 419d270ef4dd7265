"""The service's dependencies read the app's state without a thread hop: FastAPI runs a plain
``def`` dependency in its thread pool, which cost ~10% of the throughput under load."""

from __future__ import annotations

import inspect
import typing

from serve import deps


def test_every_dependency_getter_is_async() -> None:
    aliases = {
        name: value
        for name, value in vars(deps).items()
        if name.endswith("Dep") and typing.get_origin(value) is typing.Annotated
    }
    assert len(aliases) >= 7
    for name, alias in aliases.items():
        dependency = typing.get_args(alias)[1].dependency
        assert inspect.iscoroutinefunction(dependency), f"{name}: {dependency.__name__} is sync"

"""Dataclasses without the code generation: `@record` for the domain's records.

`@dataclass` writes each class's __init__, __repr__ and __eq__ as source text and
compiles it at import: ~1 ms a class, 6 ms for triage.model's eight, which every
`veille tag` imports. A record writes its own __init__ (as fast as the generated one: a
store builds 100,000 mentions) and gets __repr__ and __eq__ here, without compiling
anything; it stays a real dataclass (`dataclasses.fields`, `replace`, `asdict`,
`__match_args__`, slots), with the same repr, equality and hashing as
`@dataclass(slots=True)` (or `frozen=True`) gave. tests/triage/test_records.py checks
both against `@dataclass` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(field_specifiers=(field,))  # type checkers see a dataclass
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]:
    """`@dataclass(slots=True[, frozen=True])` for a class with its own `__init__` (a
    frozen one sets its fields with object.__setattr__)."""

    def make(cls: type[T]) -> type[T]:
        made: Any = dataclass(init=False, repr=False, eq=False, slots=True)(cls)
        names = [f.name for f in fields(made) if f.compare]
        compared = attrgetter(*names) if len(names) > 1 else (lambda o: (getattr(o, names[0]),))
        shown = tuple(f.name for f in fields(made) if f.repr)

        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is self.__class__:
                return bool(compared(self) == compared(other))
            return NotImplemented

        def __repr__(self: Any) -> str:
            body = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({body})"

        made.__eq__ = __eq__
        made.__repr__ = __repr__
        if frozen:

            def __setattr__(self: Any, name: str, value: object) -> None:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")

            def __delattr__(self: Any, name: str) -> None:
                raise FrozenInstanceError(f"cannot delete field {name!r}")

            def __hash__(self: Any) -> int:
                return hash(compared(self))

            every = [f.name for f in fields(made)]

            def __getstate__(self: Any) -> list[object]:  # pickled as dataclasses does
                return [getattr(self, name) for name in every]

            def __setstate__(self: Any, state: list[object]) -> None:
                for name, value in zip(every, state, strict=True):
                    object.__setattr__(self, name, value)

            made.__setattr__ = __setattr__
            made.__delattr__ = __delattr__
            made.__hash__ = __hash__
            made.__getstate__ = __getstate__
            made.__setstate__ = __setstate__
        else:
            made.__hash__ = None
        return made

    return make

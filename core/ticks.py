"""What one app's scheduler tick did, as `scheduler_tick` prints it.

Each app names its counts once, in the order they are printed
(`TickReport.of("surveys", "opened", "invited", ...)`), then reads and writes them
as attributes (`report.opened = 3`). Inline sends are counted by their outcome in
`count_send`, so a new outcome of `core.delivery.send_once` is counted here too:
"fate_unknown" (printed "fate unknown") counts emails handed to the mail server
whose reply was lost, never sent again, each with a note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.delivery import Sent, TemporaryDeliveryError


class TickReport:
    app: str
    counts: dict[str, int]
    notes: list[str]  # why sends were deferred, which ones' fate is unknown

    def __init__(self, app: str, counts: dict[str, int]) -> None:
        object.__setattr__(self, "app", app)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "notes", [])

    @classmethod
    def of(cls, app: str, *names: str) -> TickReport:
        return cls(app, dict.fromkeys(names, 0))

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(f"{self.__class__.__name__} has no count {name!r}")

    def __setattr__(self, name: str, value: int) -> None:
        if name not in self.counts:
            raise AttributeError(f"{self.app} reports no count {name!r}")
        self.counts[name] = value

    def count_send(
        self,
        send: Callable[[], Sent],
        *,
        what: str,
        names: Mapping[Sent, str] | None = None,
    ) -> None:
        """Run one send and count its outcome, under `names` or its own value
        ("sent", "bounced", "fate_unknown"); a "try later" counts as deferred, with
        a note, and so does a fate unknown."""
        try:
            outcome = send()
        except TemporaryDeliveryError as exc:
            self.add("deferred")
            self.notes.append(f"{what}: {exc}")
            return
        if outcome == Sent.FATE_UNKNOWN:
            self.notes.append(
                f"{what}: the mail server took it but its reply was lost; "
                "not sent again"
            )
        if outcome != Sent.SKIPPED:
            self.add((names or {}).get(outcome, outcome.value))

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def __str__(self) -> str:
        parts = [
            f"{value} {name.replace('_', ' ')}"
            for name, value in self.counts.items()
            if value
        ]
        return f"{self.app}: " + (", ".join(parts) if parts else "nothing due")

    def __repr__(self) -> str:
        return f"<TickReport {self}>"

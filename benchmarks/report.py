"""Turning results into the printed tables: percentiles, units, one row per run (controller process)."""

from __future__ import annotations

from benchmarks.scenarios import Result


def _ms(value: float) -> str:
    if value != value:  # NaN: no sample
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _tenths(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"


def _rate(value: float) -> str:
    return f"{value / 1e6:.3f}M" if value >= 1e5 else f"{value:,.0f}"


TRAFFIC_HEADER = (
    "scenario",
    "server",
    "deliv/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "lost",
    "order",
    "srv CPU%",
    "srv MB",
    "thr",
    "load CPU%",
    "busiest%",
    "steal%",
    "loadavg",
)
CONNECT_HEADER = (
    "scenario",
    "server",
    "registered",
    "seconds",
    "srv MB",
    "KB/conn",
    "peak MB",
    "threads",
    "idle CPU%",
    "load CPU s",
    "loadavg",
)


def traffic_row(result: Result) -> tuple[str, ...]:
    if result.error:
        return (result.scenario.name, result.server, "error: " + result.error, *[""] * (len(TRAFFIC_HEADER) - 3))
    return (
        result.scenario.name,
        result.server,
        _rate(result.deliveries_per_second),
        _ms(result.latency_ms(0.50)),
        _ms(result.latency_ms(0.90)),
        _ms(result.latency_ms(0.99)),
        _ms(result.latency_max_ms),
        f"{result.lost}",
        f"{result.order_violations}/{result.order_compared}",
        f"{result.server_cpu_percent:.0f}",
        f"{result.server_rss_mb:.0f}",
        f"{result.server_threads}",
        f"{result.load_cpu_percent:.0f}",
        f"{result.load_busiest_percent:.0f}",
        _tenths(result.steal_percent),
        f"{result.load_average:.1f}",
    )


def connect_row(result: Result) -> tuple[str, ...]:
    if result.error:
        return (result.scenario.name, result.server, "error: " + result.error, *[""] * (len(CONNECT_HEADER) - 3))
    return (
        result.scenario.name,
        result.server,
        f"{result.registered}/{result.scenario.clients}",
        f"{result.register_seconds:.2f}",
        f"{result.server_rss_mb:.0f}",
        _tenths(result.kb_per_connection),
        f"{result.server_peak_rss_mb:.0f}",
        f"{result.server_threads}",
        f"{result.server_cpu_percent:.1f}",
        f"{result.setup_cpu_seconds:.1f}",
        f"{result.load_average:.1f}",
    )


FILES_HEADER = ("scenario", "server", "rounds", "upload MB/s", "download MB/s", "slowest up", "slowest down")


def files_row(result: Result) -> tuple[str, ...]:
    """Transfer speeds (1 MB = 10**6 bytes): the mean over the rounds and the slowest round."""
    if result.error:
        return (result.scenario.name, result.server, "error: " + result.error, *[""] * (len(FILES_HEADER) - 3))
    speeds = result.transfer_speeds
    ups, downs = [up for up, _ in speeds], [down for _, down in speeds]
    return (
        result.scenario.name,
        result.server,
        f"{len(speeds)}",
        f"{sum(ups) / len(ups):.0f}" if ups else "-",
        f"{sum(downs) / len(downs):.0f}" if downs else "-",
        f"{min(ups):.0f}" if ups else "-",
        f"{min(downs):.0f}" if downs else "-",
    )


TYPING_HEADER = (
    "scenario",
    "server",
    "typists",
    "TYPING/s",
    "typing frames",
    "typing/s",
    "1st s",
    "later /s",
    "busiest later s",
    "late",
)


def typing_row(result: Result) -> tuple[str, ...]:
    """Typing frames the clients received in the measured window: per second over it, in its first second (the
    server's budget starts full), per second over the whole seconds after that and in the busiest of them (a
    second of the window, not a sliding one: a relay that reaches the room across a second's end counts in both).
    TYPING/s is what the typists wrote."""
    if result.error:
        return (result.scenario.name, result.server, "error: " + result.error, *[""] * (len(TYPING_HEADER) - 3))
    mix = result.scenario.typing
    seconds = result.typing_full_seconds
    return (
        result.scenario.name,
        result.server,
        f"{mix.window}+{mix.hostile}" if mix is not None else "-",
        f"{result.typing_sent / result.typing_seconds:,.0f}" if result.typing_seconds else "-",
        f"{result.typing_frames:,}",
        f"{result.typing_per_second:,.0f}",
        f"{seconds[0]:,}" if seconds else "-",
        f"{sum(seconds[1:]) / (len(seconds) - 1):,.0f}" if len(seconds) > 1 else "-",
        f"{max(seconds[1:]):,}" if len(seconds) > 1 else "-",
        f"{result.typing_late:,}",
    )


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A Markdown table, aligned, so it can be pasted into docs/benchmarks.md as printed."""
    widths = [max(len(str(row[i])) for row in [header, *rows] if i < len(row)) for i in range(len(header))]
    lines = []
    for number, row in enumerate([header, *rows]):
        if row[2].startswith("error: "):
            lines.append(f"| {row[0]} | {row[1]} | {row[2]} |")
        else:
            lines.append(
                "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)) + " |"
            )
        if number == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def failure_notes(results: list[Result]) -> list[str]:
    notes = []
    for result in results:
        if result.failures:
            notes.append(
                f"{result.scenario.name} / {result.server}: {result.failures[0]} ({len(result.failures)} problems noted)"
            )
    return notes

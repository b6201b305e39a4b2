"""Latency and throughput figures of one measured phase, and the lines a benchmark prints."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Phase", "percentile", "machine"]


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the samples; NaN when there are none."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Phase:
    """What the load process saw during the measured window of one phase."""

    name: str
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=dict)
    errors: int = 0
    flows: int = 0
    requests: int = 0  # every request sent, warm-up included (what the CPU figures are divided by)
    error_samples: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU used during the phase, per process group

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def line(self, unit: str = "steps") -> str:
        lat = self.latencies_ms
        return (f"{self.name:<28} {self.rate:8.1f} {unit}/s  p50 {percentile(lat, 50):6.1f} ms  "
                f"p99 {percentile(lat, 99):6.1f} ms  max {max(lat, default=math.nan):6.1f} ms  "
                f"n={len(lat)} flows={self.flows} errors={self.errors}")

    def cpu_line(self, unit: str = "step") -> str:
        """CPU milliseconds per request, per process group: what sizing on another machine starts from."""
        per = {name: 1000 * secs / max(self.requests, 1) for name, secs in self.cpu_seconds.items()}
        return "    CPU per " + unit + ": " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in per.items())

    def step_lines(self, labels: list[str] | None = None) -> list[str]:
        """p50/p99 of each step of the flow, in flow order."""
        out = []
        for index in sorted(self.by_step):
            lat = self.by_step[index]
            label = labels[index] if labels and index < len(labels) else f"step {index}"
            out.append(f"    {index:2d} {label:<26} p50 {percentile(lat, 50):6.1f} ms  "
                       f"p99 {percentile(lat, 99):6.1f} ms  n={len(lat)}")
        return out


def machine() -> str:
    """nproc, memory and CPU model of this machine, for the figures' context."""
    import os

    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return f"machine: {os.cpu_count()} cores ({model}), {mem_kb / 1024 / 1024:.1f} GiB memory; {load()}"


def load() -> str:
    """The machine's load averages: other work on it makes latencies noisier (ratios less so)."""
    one, five, fifteen = open("/proc/loadavg").read().split()[:3]
    return f"load average {one} {five} {fifteen}"

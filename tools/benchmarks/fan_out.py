"""Fan-out speed: from approval to completion for 5, 20 and 50 systems on the local cloud, the
code and the approval answered at once (``benchmarks.workflow_runs``). The Map runs the systems
in parallel, so 50 systems should take at most 4 times as long as 5. Beside it: the processor time
each system adds, how much of it the state machine (the emulator) takes beyond the functions' own,
how busy the processor was, and the number of system tasks the execution history shows running at
one moment.

On the local cloud every function and every emulated AWS call shares one Python process, and the
calls cost processor time rather than network time: tasks that run at once in the Map take turns
on the processor, so the time still grows with the number of systems.
"""

from __future__ import annotations

from benchmarks.figures import Figure
from benchmarks.workflow_runs import measured_runs

BENCHMARK = "Fan-out speed"
TARGET_RATIO = 4.0


def run(scale: float) -> list[Figure]:
    runs = measured_runs(scale)
    figures = [
        Figure(
            BENCHMARK,
            f"Approval to completion, {measured.systems} systems",
            measured.approval_to_completion_seconds,
            "s",
            detail={
                "state_transitions": measured.state_transitions,
                "handler_seconds": round(measured.handler_milliseconds / 1000, 3),
            },
        )
        for measured in runs
    ]
    smallest, largest = runs[0], runs[-1]
    ratio = largest.approval_to_completion_seconds / smallest.approval_to_completion_seconds
    figures.append(
        Figure(
            BENCHMARK,
            f"{largest.systems} systems beside {smallest.systems}",
            largest.approval_to_completion_seconds,
            "s",
            baseline=f"{smallest.systems} systems",
            baseline_value=smallest.approval_to_completion_seconds,
            target=f"at most {TARGET_RATIO:g} x" if largest.systems >= 10 * smallest.systems else None,
            met=ratio <= TARGET_RATIO if largest.systems >= 10 * smallest.systems else None,
        )
    )
    figures.append(
        Figure(
            BENCHMARK,
            f"System tasks running at once, {largest.systems} systems (the Map's MaxConcurrency)",
            largest.system_tasks_in_flight,
            "tasks",
        )
    )
    added = largest.systems - smallest.systems
    elapsed = largest.approval_to_completion_seconds - smallest.approval_to_completion_seconds
    processor = largest.approval_to_completion_cpu_seconds - smallest.approval_to_completion_cpu_seconds
    functions = (largest.handler_cpu_milliseconds - smallest.handler_cpu_milliseconds) / 1000
    figures += [
        Figure(BENCHMARK, "Time added per system", elapsed / added * 1000, "ms"),
        # Why the time grows: each system adds processor time, and the process keeps one core busy
        # from approval to completion (1.0 cores), so the tasks that run at once take turns.
        Figure(
            BENCHMARK,
            "Processor time added per system (the whole local cloud)",
            processor / added * 1000,
            "ms",
            detail={"functions_cpu_ms_per_system": functions / added * 1000},
        ),
        Figure(
            BENCHMARK,
            "State machine overhead per system (processor time beyond the functions' own)",
            max(0.0, processor - functions) / added * 1000,
            "ms",
        ),
        Figure(
            BENCHMARK,
            f"Processor busy from approval to completion, {largest.systems} systems",
            largest.approval_to_completion_cpu_seconds / largest.approval_to_completion_seconds,
            "cores",
        ),
    ]
    return figures

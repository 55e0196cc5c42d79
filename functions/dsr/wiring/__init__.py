"""The desk's wiring: the ``Desk`` every stage is handed (settings, clock, and each adapter made
when a stage first uses it), and SnapStart's hooks. It builds the stores, so it sits above
storage; every stage above may import it.

May import: the core, storage.
"""

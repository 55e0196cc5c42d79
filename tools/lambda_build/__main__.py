"""``python -m lambda_build function <LogicalId> <dir>`` or ``python -m lambda_build layer <dir>``:
one artifact of ``sam build`` (functions/Makefile gives SAM's ``$(ARTIFACTS_DIR)``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lambda_build import build_data_lake_layer, build_function, build_layer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lambda_build", description=__doc__)
    kinds = parser.add_subparsers(dest="kind", required=True)
    function = kinds.add_parser("function", help="one function's handler package")
    function.add_argument("logical_id")
    function.add_argument("artifacts_dir", type=Path)
    layer = kinds.add_parser("layer", help="the shared layer: dsr and the runtime dependencies")
    layer.add_argument("artifacts_dir", type=Path)
    data_lake = kinds.add_parser("data-lake-layer", help="the data lake's layer: pyarrow, trimmed")
    data_lake.add_argument("artifacts_dir", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.kind == "function":
        build_function(arguments.logical_id, arguments.artifacts_dir)
    elif arguments.kind == "data-lake-layer":
        build_data_lake_layer(arguments.artifacts_dir)
    else:
        build_layer(arguments.artifacts_dir)


if __name__ == "__main__":
    main()

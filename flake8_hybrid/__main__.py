"""``python -m flake8_hybrid``: rule documentation and maintenance commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_hybrid")
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code")
    commands.add_parser("rules", help="print the rule table")
    commands.add_parser("facts", help="print the analysis facts of functions (see --help)", add_help=False)
    docs = commands.add_parser("docs", help="regenerate docs/rules.md and the README rule table")
    docs.add_argument("--root", default=".", help="the repository root (default: .)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["facts"]:
        from flake8_hybrid.facts import run

        return run(argv[1:])
    args = parser.parse_args(argv)

    from flake8_hybrid import docs as rendering

    if args.command == "explain":
        try:
            sys.stdout.write(rendering.explain(args.code))
        except KeyError as error:
            sys.stderr.write(f"{error.args[0]}\n")
            return 2
    elif args.command == "rules":
        sys.stdout.write(rendering.render_rule_table())
    else:
        root = Path(args.root)
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / "rules.md").write_text(rendering.render_rules_md(), encoding="utf-8")
        readme = root / "README.md"
        readme.write_text(rendering.replace_readme_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

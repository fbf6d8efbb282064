"""What a check produces: findings, and the fixes they propose as data.

A fix intent says what to change and where, never how: the fixer's codemods
(``fix/codemods.py``) apply it.  Keeping it data means the plugin and the fixer
agree on every finding by construction: the fixer runs the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flake8_hybrid.rule import Applicability


@dataclass(frozen=True)
class FixIntent:
    #: ``rename-keyword``: rename keyword argument ``old`` to ``new``;
    #: ``remove-keyword``: drop keyword argument ``old``;
    #: ``rename-attribute``: rename attribute ``old`` (in ``x.old``) to ``new``;
    #: ``add-decorator``: give function ``old`` the decorator ``new`` (innermost);
    #: ``remove-decorator``: remove decorator ``old`` (its source text) from the
    #: function defined at ``line``.
    #: Retracing fixes: ``wrap-argument``: wrap the argument expression that starts here (source ``old``)
    #: in a call of ``new`` (``tf.constant``);
    #: ``add-keyword``: add keyword argument ``old=new`` to the call (or bare
    #: decorator, which becomes a call) that starts here;
    #: ``replace-name``: replace the name ``old`` that starts here with ``new``.
    #: ``rename-call``: the expression statement ``old(...)`` whose call starts at
    #: ``line``/``col`` calls the dotted name ``new`` instead (``print`` -> ``tf.print``);
    #: ``assert-to-tf-assert``: ``assert c, m`` (at ``line``/``col``) becomes
    #: ``<new>(c, [m])`` with ``new`` the spelling of ``tf.debugging.Assert``;
    #: ``assign-back``: the expression statement ``old.write(...)`` whose call
    #: starts at ``line``/``col`` becomes ``old = old.write(...)``.
    kind: str
    #: Where the keyword or attribute name starts: 1-based line, 0-based
    #: column in UTF-8 bytes (as ``ast`` reports it).
    line: int
    col: int
    old: str
    new: str
    applicability: Applicability
    title: str
    #: An import statement the fix needs (``import tensorflow as tf``), added
    #: after the module's other imports unless it is already there.
    add_import: str = ""
    #: A name imported only for what the fix removes (``from tensorflow import
    #: function``): its import goes too.
    remove_import: str = ""
    #: The lines (first, last) a removal rewrites: fixes inside them wait for the next pass.
    span: tuple = ()


@dataclass(frozen=True)
class Finding:
    code: str
    line: int
    col: int  # 0-based, UTF-8 bytes, as ast and flake8 count
    message: str  # the full text, starting with the code
    fix: Optional[FixIntent] = None
    #: In the preview tier: it rests on an assumption (named in the message), or its rule is in
    #: preview. Shown only with ``--hybrid-preview``.
    preview: bool = False

    @property
    def applicability(self) -> Applicability:
        return self.fix.applicability if self.fix else Applicability.NONE

"""HYB3xx: tf.function configuration: deprecated, ignored, contradictory or invalid arguments."""

from inspect import cleandoc

from flake8_hybrid.rule import Applicability, Rule

RULES = (
    Rule(
        code="HYB301",
        name="deprecated-experimental-relax-shapes",
        message=(
            "'experimental_relax_shapes' is deprecated since TF {deprecated}; "
            "rename it to 'reduce_retracing'{note}"
        ),
        summary="`tf.function(experimental_relax_shapes=...)`, deprecated in TF 2.9.",
        what_it_does=cleandoc(
            """
            Finds `experimental_relax_shapes` passed to `tf.function`, under any spelling of
            `tf.function` (decorator, called decorator, wrapping call), when the project may run on
            TF 2.9 or newer. Not reported when the target TensorFlow (the lowest release the
            project's requirement admits, raised by its `python_requires`) is older than 2.9: there
            the old name is the right one. With no declared floor it is reported, since the project
            then admits today's TF, where the argument is deprecated, unless a declared upper bound
            (`tensorflow<2.9`) keeps it below 2.9.
            """
        ),
        why_it_matters=cleandoc(
            """
            TF 2.9 renamed the argument to `reduce_retracing`; the old name only survives as a
            deprecated alias (TF treats `experimental_relax_shapes=True` as `reduce_retracing=True`),
            and TF 2.21 logs "experimental_relax_shapes is deprecated, use reduce_retracing instead".
            """
        ),
        example=cleandoc(
            """
            @tf.function(experimental_relax_shapes=True)
            def embed(tokens):
                return tf.nn.embedding_lookup(table, tokens)
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(reduce_retracing=True)
            def embed(tokens):
                return tf.nn.embedding_lookup(table, tokens)
            """
        ),
        fix_safety=cleandoc(
            """
            The rename is safe when the target TensorFlow version is 2.9 or newer (measured on TF
            2.21: both spellings trace a function fed five shapes twice, and `None` means off for
            both). For an unknown target the fix is only displayed, since `reduce_retracing` does
            not exist before 2.9 and the project may run on such a release. When
            `reduce_retracing` is also given, TF ORs the two; the fix is displayed only, because
            merging them is a decision for the author.
            """
        ),
        fix=Applicability.SAFE,
        fix_min_tf="2.9",
        fix_title="Rename to `reduce_retracing`",
    ),
    Rule(
        code="HYB302",
        name="deprecated-experimental-compile",
        message="'experimental_compile' is deprecated since TF {deprecated}; rename it to 'jit_compile'{note}",
        summary="`tf.function(experimental_compile=...)`, deprecated in TF 2.5.",
        what_it_does=cleandoc(
            """
            Finds `experimental_compile` passed to `tf.function`, when the project may run on TF 2.5
            or newer: as for HYB301, not reported for a target TensorFlow older than 2.5, reported
            for an unknown one.
            """
        ),
        why_it_matters=cleandoc(
            """
            TF 2.5 renamed the argument to `jit_compile`; the old name is a deprecated alias that TF
            forwards to `jit_compile` (TF 2.21 logs "experimental_compile is deprecated, use
            jit_compile instead"). Giving both raises
            `ValueError: Cannot specify both 'experimental_compile' and 'jit_compile'.`
            """
        ),
        example=cleandoc(
            """
            @tf.function(experimental_compile=True)
            def dense(x, w):
                return tf.nn.relu(x @ w)
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(jit_compile=True)
            def dense(x, w):
                return tf.nn.relu(x @ w)
            """
        ),
        fix_safety=cleandoc(
            """
            The rename is safe when the target TensorFlow version is 2.5 or newer: TF 2.21 gives the
            function the same `jit_compile` setting for either spelling. For an unknown target, or
            when `jit_compile` is also given (an error in TF), the fix is only displayed.
            """
        ),
        fix=Applicability.SAFE,
        fix_min_tf="2.5",
        fix_title="Rename to `jit_compile`",
    ),
    Rule(
        code="HYB303",
        name="ignored-experimental-follow-type-hints",
        message=(
            "'experimental_follow_type_hints' is ignored since TF {ignored}; remove it "
            "(input_signature or reduce_retracing limit retracing){note}"
        ),
        summary="`tf.function(experimental_follow_type_hints=...)`, ignored since TF 2.11.",
        what_it_does=cleandoc(
            """
            Finds `experimental_follow_type_hints` passed to `tf.function`, when the project may run
            on TF 2.11 or newer: as for HYB301, not reported for a target TensorFlow older than 2.11
            (where the argument still works), reported for an unknown one.
            """
        ),
        why_it_matters=cleandoc(
            """
            From TF 2.4 to 2.10 the argument made `tf.function` convert arguments annotated
            `tf.Tensor` to tensors, so Python numbers passed to them did not retrace. Since TF 2.11
            it is accepted, deprecated and ignored: code that relied on it now retraces once per
            distinct Python value (measured on TF 2.21: four calls with four Python ints trace four
            times, with or without the argument, and TF logs "experimental_follow_type_hints is
            deprecated").
            """
        ),
        example=cleandoc(
            """
            @tf.function(experimental_follow_type_hints=True)
            def scale(x: tf.Tensor, factor: tf.Tensor):
                return x * factor
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function
            def scale(x: tf.Tensor, factor: tf.Tensor):
                return x * factor

            scale(x, tf.constant(2.0))  # pass tensors, not Python numbers
            """
        ),
        fix_safety=cleandoc(
            """
            Removing the argument is safe when the target TensorFlow version is 2.11 or newer, where
            it has no effect. For an unknown target the fix is only displayed: on a release before
            2.11 the argument still changes how calls are traced.
            """
        ),
        fix=Applicability.SAFE,
        fix_min_tf="2.11",
        fix_title="Remove `experimental_follow_type_hints`",
    ),
    Rule(
        code="HYB304",
        name="deprecated-run-functions-eagerly-alias",
        message="'{old}' is deprecated; use '{new}' instead{note}",
        summary="`tf.config.experimental_run_functions_eagerly` and `experimental_functions_run_eagerly`.",
        what_it_does=cleandoc(
            """
            Finds uses of `tf.config.experimental_run_functions_eagerly` and
            `tf.config.experimental_functions_run_eagerly`, called or not. Not reported when the
            target TensorFlow is older than 2.3, which has only the experimental names.
            """
        ),
        why_it_matters=cleandoc(
            """
            Both are deprecated aliases of `tf.config.run_functions_eagerly` and
            `tf.config.functions_run_eagerly`; TF 2.21 logs "experimental_run_functions_eagerly ... is
            deprecated and will be removed in a future version" (once per process).
            """
        ),
        example=cleandoc(
            """
            tf.config.experimental_run_functions_eagerly(args.debug)
            """
        ),
        use_instead=cleandoc(
            """
            tf.config.run_functions_eagerly(args.debug)
            """
        ),
        fix_safety=cleandoc(
            """
            Renaming the attribute is safe when the target TensorFlow is 2.3 or newer: the new names
            take the same arguments and exist in every TF release since 2.3 (TF 2.2 exports only the
            experimental ones). For an unknown target the rename is only displayed. A name imported
            with `from tensorflow.config import ...` is reported but not rewritten, since the import
            and every use would have to change together.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Rename to the non-experimental function",
    ),
    Rule(
        code="HYB305",
        name="input-signature-mismatch",
        message="{problem}; {remedy}",
        summary="`input_signature` that does not match the function's parameters or its callers.",
        what_it_does=cleandoc(
            """
            Compares a literal `input_signature` with the positional parameters of the function it
            decorates or wraps (without `self` for methods), and reports: more specs than parameters;
            fewer specs than required parameters; parameters with defaults left uncovered; a call in
            the project that passes a keyword landing in `**kwargs`; and a call in the project that
            passes a Python literal for a covered parameter the body uses where only a Python value
            works: as the argument of a NumPy or `math` call, in `range(...)` outside a `for`
            statement (a comprehension, `list(range(n))`), to repeat a list, tuple or string
            (`[x] * n`), to index or slice a literal sequence or a `.shape`, in string formatting
            (f-string, `str()`, `%`, `.format`), or as the whole condition of `if`/`while`/`not`/
            `and`/`or` when its spec's dtype is not `tf.bool`. A covered parameter used only in TF
            ops, arithmetic, `for ... in range(n)` or a comparison (`if n > 1:`) is not reported.
            """
        ),
        why_it_matters=cleandoc(
            """
            Measured on TF 2.21: extra specs raise `TypeError: input_signature contains 1 extra type
            constraints`; missing ones raise `TypeError: input_signature missing type constraint for
            b`; an uncovered parameter with a default is frozen at that default, and passing it
            raises `TypeError`. With `**kwargs`, a keyword that names a signature parameter binds
            to it and any other keyword raises `TypeError: ... got an unexpected keyword argument`.
            A Python number passed for a covered parameter becomes a symbolic tensor: NumPy, `math`
            and `range` in a comprehension fail (`NotImplementedError`, `TypeError`,
            `OperatorNotAllowedInGraphError`), as do `if n:` on an int or float tensor (`ValueError:
            condition of if statement expected to be tf.bool scalar`) and indexing a tuple with it;
            `[x] * n` silently gives a tensor of another shape, and an f-string the text
            `Tensor("n:0", ...)`. TF ops (`tf.range(n)`, `tf.fill([n], v)`), arithmetic, and the
            loops and comparisons AutoGraph converts give the same results as the Python value.
            """
        ),
        example=cleandoc(
            """
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32),
                                          tf.TensorSpec([], tf.int32)])
            def pad(x, n):
                return tf.concat([x, np.zeros(n, np.float32)], 0)

            pad(x, 3)  # np.zeros gets a symbolic tensor
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32),
                                          tf.TensorSpec([], tf.int32)])
            def pad(x, n):
                return tf.concat([x, tf.zeros([n])], 0)

            pad(x, 3)
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix: which specs are right, or how to compute a value with TF ops,
            is the author's decision. The advice never removes `input_signature` (a SavedModel's
            serving signature needs it): it is to use TF ops, or to keep a Python value out of the
            signature (a closure or `functools.partial`).
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
    ),
    Rule(
        code="HYB306",
        name="autograph-disabled-with-tensor-control-flow",
        message=(
            "Python '{construct}' on tensor '{expression}' in '{function}', which has autograph=False: "
            "it raises OperatorNotAllowedInGraphError; drop autograph=False or use {remedy}"
        ),
        summary="`autograph=False` on a function whose Python `if`/`while`/`for` depends on tensors.",
        what_it_does=cleandoc(
            """
            In a function given `autograph=False`, finds `if`, `while`, `for`, conditional
            expressions and `and`/`or`/`not` whose condition or iterable is a tensor: the result of a
            TF op, a parameter covered by `input_signature`, or a parameter annotated `tf.Tensor`.
            """
        ),
        why_it_matters=cleandoc(
            """
            Without AutoGraph, Python control flow is not converted to graph control flow, and a
            symbolic tensor cannot be a Python `bool` or a Python iterable: TF 2.21 raises
            `OperatorNotAllowedInGraphError: Using a symbolic tf.Tensor as a Python bool is not
            allowed` (for `for`: `Iterating over a symbolic tf.Tensor is not allowed`). Iterating a
            Python list of tensors, such as the result of `tf.unstack` or `tf.split`, is fine.
            """
        ),
        example=cleandoc(
            """
            @tf.function(autograph=False)
            def magnitude(x):
                if tf.reduce_sum(x) > 0:
                    return x
                return -x
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(autograph=False)
            def magnitude(x):
                return tf.cond(tf.reduce_sum(x) > 0, lambda: x, lambda: -x)
            """
        ),
        fix_safety="There is no automatic fix: dropping `autograph=False` may be what the author avoided.",
        fix=Applicability.DISPLAY_ONLY,
    ),
    Rule(
        code="HYB307",
        name="jit-compile-incompatible",
        message="'{call}' cannot be compiled by XLA ({reason}), but '{function}' has jit_compile=True; {remedy}",
        summary="`jit_compile=True` on a function that calls `tf.py_function`, string ops, or creates variables.",
        what_it_does=cleandoc(
            """
            In a function given `jit_compile=True` (or the deprecated `experimental_compile=True`),
            finds calls XLA cannot compile: `tf.py_function`, `tf.numpy_function`, string ops
            (`tf.strings.*`, `tf.as_string`, text decoding) unless all their inputs are constants,
            and `tf.Variable(...)` whose initial value depends on the function's arguments.
            """
        ),
        why_it_matters=cleandoc(
            """
            The whole function must compile. Measured on TF 2.21 (CPU): a Python function call or a
            string op raises `InvalidArgumentError: Detected unsupported operations when trying to
            compile graph` (a string op on constants only is folded away first and compiles), and a
            variable created behind a first-call guard from the arguments raises
            `UnimplementedError: We failed to lift variable creations out of this tf.function, so
            this tf.function cannot be run on XLA`; the same guard with a constant initial value
            compiles. Creating a variable on every call fails with or without XLA: that is HYB104.
            """
        ),
        example=cleandoc(
            """
            @tf.function(jit_compile=True)
            def describe(x):
                return tf.strings.as_string(tf.reduce_mean(x))
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(jit_compile=True)
            def mean(x):
                return tf.reduce_mean(x)

            def describe(x):
                return tf.strings.as_string(mean(x))
            """
        ),
        fix_safety="There is no automatic fix: the incompatible call has to move out of the compiled function.",
        fix=Applicability.DISPLAY_ONLY,
    ),
    Rule(
        code="HYB308",
        name="invalid-tf-function-argument",
        message="{problem}; {remedy}",
        summary="An unknown, duplicated or surplus argument to `tf.function`, or one the target TF lacks.",
        what_it_does=cleandoc(
            """
            Checks the arguments of every `tf.function` call and decorator against TF's parameter
            table: unknown keywords (typos, with the closest valid name), an argument given twice
            (positionally and by keyword, or as a repeated keyword), more than the eleven positional
            arguments `tf.function` takes, and arguments newer than the target TensorFlow version
            (`jit_compile` needs 2.5, `reduce_retracing` 2.9, `experimental_attributes` 2.12). The
            target is the lowest release the project's requirement admits, raised to the first
            release with wheels for its `python_requires`; for those the advice is to require the
            release that has the argument (the code needs it), not to drop it.
            """
        ),
        why_it_matters=cleandoc(
            """
            Each of these fails when the module is imported: TF 2.21 raises
            `TypeError: function() got an unexpected keyword argument 'reduce_retrace'` or
            `TypeError: function() takes from 0 to 11 positional arguments but 12 were given`.
            `tf.function` takes no `**kwargs` in any TF 2 release (each release's signature read
            from its wheel), so a release older than an argument rejects it the same way.
            """
        ),
        example=cleandoc(
            """
            @tf.function(reduce_retrace=True)
            def step(x):
                return x * 2
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(reduce_retracing=True)
            def step(x):
                return x * 2
            """
        ),
        fix_safety="There is no automatic fix: a typo's intended name is a guess.",
        fix=Applicability.DISPLAY_ONLY,
    ),
    Rule(
        code="HYB309",
        name="redundant-retracing-options",
        message="reduce_retracing=True has no effect with input_signature, which fixes the trace; remove it{note}",
        summary="`reduce_retracing=True` together with a fully specified `input_signature`.",
        what_it_does=cleandoc(
            """
            Finds `reduce_retracing=True` on a `tf.function` whose `input_signature` is given as a
            literal list or tuple of specs. A signature held in a variable, or `None`, is not
            reported.
            """
        ),
        why_it_matters=cleandoc(
            """
            With an input signature, TF traces one concrete function for the signature and never
            retraces for it, so `reduce_retracing` changes nothing (measured on TF 2.21: one trace for
            calls with several shapes, with or without it, for `None` and for fixed dimensions).
            The option misleads readers into thinking retracing is still possible.
            """
        ),
        example=cleandoc(
            """
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)], reduce_retracing=True)
            def norm(x):
                return tf.norm(x)
            """
        ),
        use_instead=cleandoc(
            """
            @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
            def norm(x):
                return tf.norm(x)
            """
        ),
        fix_safety="Removing the keyword is safe: the signature already fixes the trace.",
        fix=Applicability.SAFE,
        fix_title="Remove `reduce_retracing`",
    ),
)

"""Registry entries for HYB0xx: graph execution missing where it pays, or present where it costs."""

from inspect import cleandoc

from flake8_hybrid.rule import Applicability, Rule

RULES = (
    Rule(
        code="HYB000",
        name="analysis-error",
        message="flake8-hybrid failed to analyze this file ({exception}); please report this bug",
        summary="The analyzer itself failed on this file.",
        what_it_does=cleandoc(
            """
            Reports that flake8-hybrid raised an exception while analyzing a file. The finding is
            reported once per file, at line 1, and names the exception's type. The other files of
            the run are still analyzed, and flake8's own checks and other plugins still run on this
            file; only the HYB findings for it are missing.
            """
        ),
        why_it_matters=cleandoc(
            """
            This is a bug in flake8-hybrid, not in your code. It is reported instead of being
            silently swallowed so that a file without HYB findings is never mistaken for a file
            that was checked and found clean.
            """
        ),
        example=cleandoc(
            """
            # Any file can trigger this finding; it points at a bug in flake8-hybrid.
            import tensorflow as tf

            @tf.function
            def double(x):
                return x * 2
            """
        ),
        use_instead=cleandoc(
            """
            # Report the bug with the smallest file that reproduces it. Until it is fixed,
            # skip the analysis of that file in the flake8 configuration:
            #
            # [flake8]
            # per-file-ignores = path/to/file.py:HYB
            """
        ),
        fix_safety=cleandoc(
            """
            There is no fix: the finding reports a failure of the analyzer, not a problem in the
            code.
            """
        ),
        fix=Applicability.NONE,
        fix_title="",
    ),
    Rule(
        code="HYB001",
        name="eager-function-could-be-hybrid",
        message=(
            "'{function}' receives tensors and has no Python side effects; "
            "decorate it with @tf.function to run it as a graph{note}"
        ),
        summary="An eager function that would run faster as a graph.",
        what_it_does=cleandoc(
            """
            Finds an eager function (one that is not run through `tf.function`) that can safely run
            as a graph and gains from it. The function must receive tensors, have no parameters
            that receive Python literals, have no Python side effects, not be recursive, make no
            eager-only calls such as `.numpy()`, and not already run only from graph code. It must
            also be called repeatedly (in a loop, directly or through its callers) and do enough
            tensor work per call to pay for the fixed cost of calling a `tf.function`. Only the
            outermost candidates are reported: a candidate whose every caller is itself reported,
            or is graph code, is covered by its callers. When a fact was guessed rather than
            proven (for example, that `call` of a Keras `Model` subclass receives tensors), the
            message says so. The finding is reported on the `def` line.
            """
        ),
        why_it_matters=cleandoc(
            """
            An eager function dispatches its ops one at a time from Python. Under `tf.function`,
            TensorFlow traces the function once into a graph and then runs the whole graph per
            call, which removes the per-op Python overhead and lets graph optimizations apply. A
            full training step (forward pass, `GradientTape.gradient`, optimizer update) ran about
            7x faster as a graph in the measurements behind the cost model. A graph call also
            has a fixed cost (about 250 µs on a CPU) and the first call pays for tracing, so a
            function that does only a few cheap ops runs slower as a graph; those are not
            reported.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.SGD(0.01)

            def train_step(x, y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(model(x) - y))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))

            for step in range(100):
                train_step(tf.ones([8, 4]), tf.ones([8, 1]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.SGD(0.01)

            @tf.function
            def train_step(x, y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(model(x) - y))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))

            for step in range(100):
                train_step(tf.ones([8, 4]), tf.ones([8, 1]))
            """
        ),
        fix_safety=cleandoc(
            """
            The fix adds `@tf.function` above the function, reusing the module's existing import
            of TensorFlow under whatever name it has, or adding `import tensorflow as tf`. It is
            safe when every fact behind the finding was proven: the parameters receive tensors,
            no parameter receives Python values, and the function (with everything it calls) has
            no Python side effects, no recursion and no eager-only calls. It is unsafe when any of
            these facts was guessed (the message then says "assumed"): a Python side effect that
            the analysis missed would run only while tracing, and a Python argument would cause a
            new trace per value. It is also unsafe when the function receives Keras models or
            optimizers that may be new objects on a later call (they are created in a loop, or by
            a function that may run more than once, such as a `main()` that nothing in the project
            calls): the graph retraces for the new objects, and their variables would then be
            created in a later trace, which `tf.function` rejects with a `ValueError`.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Add `@tf.function`",
    ),
    Rule(
        code="HYB002",
        name="hybrid-function-without-tensor-parameters",
        message=(
            "'{function}' is a tf.function but its callers never pass it tensors; "
            "remove the @tf.function decorator to skip the tracing cost{note}"
        ),
        summary="A `tf.function` whose callers never pass it tensors.",
        what_it_does=cleandoc(
            """
            Finds a function decorated with or wrapped by `tf.function` whose callers, across the
            analyzed project, never pass it a tensor: every argument at every call site is a
            Python value or another non-tensor object. The finding is reported on the `def` line.
            """
        ),
        why_it_matters=cleandoc(
            """
            `tf.function` keys its traces on the values of Python arguments, so a function that
            only ever receives Python values is traced anew for each distinct combination of
            values, and every trace (8-40 ms in the measurements behind the cost model) costs far
            more than running the body eagerly once. Without tensor inputs the graph has nothing
            to reuse across calls: the function pays the tracing cost and gains nothing.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def initial_state(batch_size, units):
                return tf.zeros([batch_size, units])

            state = initial_state(32, 128)
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            def initial_state(batch_size, units):
                return tf.zeros([batch_size, units])

            state = initial_state(32, 128)
            """
        ),
        fix_safety=cleandoc(
            """
            The fix removes the `@tf.function` decorator. It is safe only when every fact behind
            the finding was proven and the function has no Python side effects, no
            `input_signature` and no `jit_compile` setting; otherwise it is unsafe. Without the
            decorator, Python side effects run on every call instead of once per trace, calls are
            no longer checked against the `input_signature`, and the code is no longer compiled
            with XLA.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Remove the `@tf.function` decorator",
    ),
    Rule(
        code="HYB003",
        name="hybrid-function-with-primitive-parameters",
        message=(
            "'{function}' is traced again for each value of its Python parameter '{parameter}' "
            "(passed at {call_sites}); pass a tensor or remove the @tf.function decorator{note}"
        ),
        summary="A `tf.function` whose callers pass Python literals that take many values.",
        what_it_does=cleandoc(
            """
            Finds a `tf.function` that callers call with Python numbers, strings or booleans that
            take many different values for the same parameter: distinct literals at different
            call sites, loop variables, counters. The finding is reported on the `def` line and
            names the parameter and the call sites that pass the varying values.
            """
        ),
        why_it_matters=cleandoc(
            """
            For a Python argument, `tf.function` uses the value itself as part of the trace key,
            so every new value traces and stores a new graph. Tracing costs far more than a call,
            and the graphs are kept in memory. After five traces within ten calls TensorFlow
            warns "triggered tf.function retracing. Tracing is expensive and the excessive number
            of tracings could be due to ... (3) passing Python objects instead of tensors".
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def scale(x, factor):
                return x * factor

            x = tf.ones([8, 8])
            a = scale(x, 0.5)  # trace 1
            b = scale(x, 2.0)  # trace 2
            c = scale(x, 3.0)  # trace 3
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def scale(x, factor):
                return x * factor

            x = tf.ones([8, 8])
            a = scale(x, tf.constant(0.5))  # one trace for all three calls
            b = scale(x, tf.constant(2.0))
            c = scale(x, tf.constant(3.0))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix; the remedy depends on how the function uses the value.
            Passing a tensor (see HYB201) changes behaviour when the body uses the value in Python
            control flow, as a shape, or as an index into a Python list, and its dtype may differ
            from the Python number's. Removing the decorator is right when the function gains
            nothing from the graph.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Pass a tensor, or remove the `@tf.function` decorator",
    ),
    Rule(
        code="HYB004",
        name="functions-run-eagerly-left-on",
        message=(
            "'{call}(True)' makes every tf.function in the process run eagerly; "
            "remove the call, or pass a debug flag instead of True"
        ),
        summary="`tf.config.run_functions_eagerly(True)` left on outside tests.",
        what_it_does=cleandoc(
            """
            Finds a call of `tf.config.run_functions_eagerly(...)` or of its deprecated alias
            `tf.config.experimental_run_functions_eagerly(...)` whose argument is the literal
            `True`. A call whose argument is a variable, such as `run_functions_eagerly(args.debug)`,
            is a deliberate debug switch and is not reported. Test files are not checked: a file
            is a test file when its name matches `test_*.py`, `*_test.py`, `*_tests.py` or
            `conftest.py`, or when a directory in its path (below the directory flake8 runs in)
            is named `test`, `tests` or `testing`. The patterns can be changed with the flake8
            option `--hybrid-test-patterns`; a pattern ending in `/` matches a directory.
            """
        ),
        why_it_matters=cleandoc(
            """
            The setting is global: it turns off `tf.function`'s ability to create and run graphs
            for every function in the process, including those in libraries and in Keras (measured
            on TF 2.21: a `tf.function` body and a Keras `train_step` then see
            `tf.executing_eagerly()` as True; functions traced by `tf.data`, such as `Dataset.map`
            callbacks, are not affected). Every such function then runs op by op from Python, which
            is often several times slower. It is useful while debugging, but left on in library or
            production code it silently removes the benefit of graph execution.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            tf.config.run_functions_eagerly(True)

            @tf.function
            def train_step(x):
                return tf.reduce_sum(x * x)
            """
        ),
        use_instead=cleandoc(
            """
            import argparse
            import tensorflow as tf

            parser = argparse.ArgumentParser()
            parser.add_argument("--debug", action="store_true")
            args = parser.parse_args()
            tf.config.run_functions_eagerly(args.debug)
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Removing the call changes how every `tf.function` in the
            process runs, which may be exactly what a debugging session needs; decide whether to
            remove it or to tie it to a debug flag.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Remove the call, or pass a debug flag",
    ),
    Rule(
        code="HYB005",
        name="keras-run-eagerly",
        message=(
            "run_eagerly=True on '{model}' makes fit, evaluate and predict run without a graph; "
            "remove it outside debugging sessions"
        ),
        summary="A Keras model compiled with `run_eagerly=True` outside tests.",
        what_it_does=cleandoc(
            """
            Finds a call `<model>.compile(..., run_eagerly=True)` and the assignment
            `<model>.run_eagerly = True`, where the value is the literal `True`; a variable such
            as a debug flag is not reported. Test files are not checked: a file is a test file
            when its name matches `test_*.py`, `*_test.py`, `*_tests.py` or `conftest.py`, or
            when a directory in its path (below the directory flake8 runs in) is named `test`,
            `tests` or `testing`. The patterns can be changed with the flake8 option
            `--hybrid-test-patterns`; a pattern ending in `/` matches a directory.
            """
        ),
        why_it_matters=cleandoc(
            """
            Keras normally wraps its train, test and predict steps in `tf.function`. With
            `run_eagerly=True` it runs them op by op from Python instead, so `fit`, `evaluate` and
            `predict` lose the speed of graph execution. The setting is meant for debugging a
            model; left on, it slows down every training run without any error or warning.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
            model.fit(tf.ones([64, 4]), tf.ones([64, 1]), epochs=2, verbose=0)
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(tf.ones([64, 4]), tf.ones([64, 1]), epochs=2, verbose=0)
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Running the steps as graphs changes how Python code in a
            custom `train_step` or `call` behaves (side effects run only while tracing, `.numpy()`
            fails), so removing `run_eagerly=True` needs a review of that code.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Remove `run_eagerly=True`",
    ),
    Rule(
        code="HYB006",
        name="redundant-nested-tf-function",
        message=(
            "'{function}' is only called from graph code, so its @tf.function decorator only adds "
            "a trace; remove the decorator{note}"
        ),
        summary="A `tf.function` that is only ever called from other graph code.",
        what_it_does=cleandoc(
            """
            Finds a `tf.function` whose every caller, across the analyzed project, is itself graph
            code: another `tf.function`, a function such code calls, or a callback that TensorFlow
            traces (for example one passed to `tf.data.Dataset.map`). The finding is reported on
            the `def` line.
            """
        ),
        why_it_matters=cleandoc(
            """
            Graph code already traces everything it calls into its own graph. A `tf.function`
            called from inside a trace is traced separately and embedded as a function call, which
            adds tracing time and a separate trace cache without making anything faster. The
            decorator also misleads readers into thinking the function is an entry point into
            graph execution.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def dense(x, w):
                return tf.nn.relu(tf.matmul(x, w))

            @tf.function
            def forward(x, w1, w2):
                return dense(dense(x, w1), w2)
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            def dense(x, w):
                return tf.nn.relu(tf.matmul(x, w))

            @tf.function
            def forward(x, w1, w2):
                return dense(dense(x, w1), w2)
            """
        ),
        fix_safety=cleandoc(
            """
            The fix removes the `@tf.function` decorator, with the same safety as HYB002: it is
            safe only when every fact behind the finding was proven and the function has no Python
            side effects, no `input_signature` and no `jit_compile` setting of its own; otherwise
            it is unsafe. With the decorator, the function's own trace cache decides how often its
            Python side effects run; without it, they run once per trace of each caller. The
            checks of an `input_signature` and the XLA compilation asked for by `jit_compile` are
            lost as well.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Remove the `@tf.function` decorator",
    ),
    Rule(
        code="HYB007",
        name="graph-overhead-exceeds-work",
        message=(
            "'{function}' does too little tensor work per call (about {ops} ops) to pay for a "
            "tf.function call; remove the @tf.function decorator to run it eagerly{note}"
        ),
        summary="A `tf.function` whose tensor work per call is too small to pay for a graph call.",
        what_it_does=cleandoc(
            """
            Finds a `tf.function` that is called repeatedly and whose estimated tensor work per
            call is below the threshold where graph execution pays off. The estimate counts the
            ops in the body and in its callees, multiplied by constant loop trip counts, and
            weighs Keras layer calls, gradients and optimizer updates. It is not reported for a
            function with an `input_signature` or `jit_compile`, for methods of a `tf.Module`
            that are exported, or for code that runs under a distribution strategy. The finding
            is reported on the `def` line.
            """
        ),
        why_it_matters=cleandoc(
            """
            Calling a `tf.function` has a fixed cost that an eager op does not: in the
            measurements behind the cost model (TF 2.21, CPU), about 220-280 µs per call against
            about 7.5 µs per eager op, so a function of one cheap op ran at 0.04x and one of ten
            ops at 0.34x of its eager speed. A two-op helper became 6.7x slower when decorated.
            Below the threshold, the decorated function is slower than the same code run eagerly.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def add_bias(x, b):
                return x + b

            b = tf.zeros([8])
            for step in range(1000):
                y = add_bias(tf.ones([8, 8]), b)
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            def add_bias(x, b):
                return x + b

            b = tf.zeros([8])
            for step in range(1000):
                y = add_bias(tf.ones([8, 8]), b)
            """
        ),
        fix_safety=cleandoc(
            """
            The fix removes the `@tf.function` decorator, with the same safety as HYB002: it is
            safe only when every fact behind the finding was proven and the function has no Python
            side effects and no `input_signature`; with side effects it is only shown, because they
            would then run on every call instead of once per trace. The work per call is an
            estimate, so the fix is also safe only when the estimate is at most half the threshold;
            nearer the threshold it is unsafe (an underestimate there makes the program slower).
            If a caller runs the loop, decorating that caller instead is often faster still.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Remove the `@tf.function` decorator",
    ),
)

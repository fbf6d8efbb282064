"""Registry entries for HYB1xx (graph safety) and HYB2xx (retracing and graph performance)."""

from inspect import cleandoc

from flake8_hybrid.rule import Applicability, Rule

#: Appended, as its own paragraph, to the "what it does" of every rule that looks at graph code.
_GRAPH_CODE = cleandoc(
    """
    Graph code is the body of a function decorated with or wrapped by `tf.function`, every
    function such code calls (across the modules of the project), callbacks that TensorFlow
    traces (those passed to `tf.data.Dataset.map`, `filter`, `flat_map`, `interleave`,
    `reduce` or `scan`, and to `tf.vectorized_map`), and the `train_step`, `test_step`,
    `predict_step` and `call` methods of Keras models used through `fit`, `evaluate` or
    `predict` without `run_eagerly=True`.
    """
)

RULES = (
    # HYB1xx: graph safety.
    Rule(
        code="HYB101",
        name="python-side-effect-in-graph",
        message=(
            "'{call}' in graph code runs only while tracing, not on every call; "
            "use tf.print, or move it out of graph code{note}"
        ),
        summary="`print`, logging or other Python output in graph code.",
        what_it_does=cleandoc(
            """
            Finds calls of `print`, of the `logging` functions and logger methods, of `warnings.warn` (when
            it shows a tensor: Python's default filter shows a warning once per place, eagerly too) and of
            `sys.stdout.write` in graph code. A deliberate trace-time message, such as `print("Tracing")`,
            is a legitimate idiom: mark it with `# noqa: HYB101`.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            Python code in a `tf.function` runs only while the function is traced: once per new
            trace and not at all on the calls that reuse a graph. TensorFlow's guide: "Plain old
            Python `print` calls only execute during tracing ... `tf.print` calls will execute
            every time." The output also shows symbolic tensors such as
            `Tensor("Sum:0", shape=(), dtype=float32)` instead of values. Nothing warns about it.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def step(x):
                loss = tf.reduce_sum(x * x)
                print("loss:", loss)  # printed once, as Tensor("Sum:0", ...)
                return loss

            for _ in range(3):
                step(tf.ones([4]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def step(x):
                loss = tf.reduce_sum(x * x)
                tf.print("loss:", loss)  # printed on every call, with the value
                return loss

            for _ in range(3):
                step(tf.ones([4]))
            """
        ),
        fix_safety=cleandoc(
            """
            The fix replaces `print(...)` with `tf.print(...)` and is unsafe: `tf.print` writes to
            standard error by default instead of standard output, accepts `sep` and `end` but not
            `file` or `flush`, and an f-string or `%`-formatted argument is still evaluated once
            at trace time, so its text keeps the symbolic tensor instead of the value (pass the
            tensors as separate arguments instead). A `print` that is meant to run only while
            tracing changes meaning. Calls of `logging`, `warnings.warn` and `sys.stdout.write`
            have no fix.
            """
        ),
        fix=Applicability.UNSAFE,
        fix_title="Replace `print` with `tf.print`",
    ),
    Rule(
        code="HYB102",
        name="python-state-mutation-in-graph",
        message=(
            "'{name}' is {verb} in graph code, which happens once per trace, not once per call{read}; "
            "{advice}{note}"
        ),
        summary="Python state changed in graph code.",
        what_it_does=cleandoc(
            """
            Finds changes to Python state that outlives a call, made in graph code: rebinding a
            name declared `global` or `nonlocal`; calling `append`, `extend`, `insert`, `pop` or
            `update`, or assigning an item, on a list, dict or set created outside the function
            (a global or closure variable, or a `self` attribute, assigned a list, dict or set
            literal); and assigning `self.attr = ...` with anything but a new `tf.Variable` or
            Keras object. Containers passed in as arguments are not reported: their kind is not
            known where the function is.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            TensorFlow's guide: "Changing Python global and free variables counts as a Python side
            effect, so it only happens during tracing." The mutation happens once per trace, not
            once per call, and whatever it stores is a symbolic tensor of the trace, not a value:
            reading it later fails, for example with
            `AttributeError: 'SymbolicTensor' object has no attribute 'numpy'`. TensorFlow raises
            nothing at the point of the mutation, so the program silently computes something
            else than its eager version.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            history = []

            @tf.function
            def step(x):
                loss = tf.reduce_sum(x * x)
                history.append(loss)  # runs once; stores a symbolic tensor
                return loss

            for _ in range(3):
                step(tf.ones([4]))
            print(history)  # one symbolic tensor, not three losses
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            history = []

            @tf.function
            def step(x):
                return tf.reduce_sum(x * x)

            for _ in range(3):
                history.append(step(tf.ones([4])))
            print(history)  # three losses
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Depending on the code, the state belongs in a `tf.Variable`
            updated with `assign` or `assign_add`, in a `tf.TensorArray`, or in the function's
            return value; choosing among them needs a person.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Keep the state in a `tf.Variable`, or return it",
    ),
    Rule(
        code="HYB103",
        name="python-nondeterminism-in-graph",
        message=(
            "'{call}' in graph code is evaluated once per trace and frozen into the graph as a "
            "constant; use {suggestion} instead{note}"
        ),
        summary="Python randomness, time, I/O or environment reads in graph code.",
        what_it_does=cleandoc(
            """
            Finds calls in graph code whose result changes from call to call in Python:
            `random.*`, `np.random.*`, `time.time()`, `datetime.now()`, `uuid.*`, `os.urandom`,
            `open()` and other file I/O, and reads of `os.environ`.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            These calls run in Python while the function is traced, and their result is inserted
            into the graph as a constant. TensorFlow's documentation of `tf.function`: "`traced()`
            will return the same value every time it is called, since a particular random value
            generated by the `np.random.randn` call will be inserted in the traced/staged
            TensorFlow graph as a constant." The same holds for a timestamp, a file's contents or
            an environment variable: every call of the graph sees the value read at trace time.
            """
        ),
        example=cleandoc(
            """
            import numpy as np
            import tensorflow as tf

            @tf.function
            def add_noise(x):
                return x + np.random.normal(size=4).astype("float32")

            a = add_noise(tf.zeros([4]))
            b = add_noise(tf.zeros([4]))  # the same noise as `a`
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            rng = tf.random.Generator.from_seed(0)

            @tf.function
            def add_noise(x):
                return x + rng.normal(tf.shape(x))

            a = add_noise(tf.zeros([4]))
            b = add_noise(tf.zeros([4]))  # new noise
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. The TensorFlow replacements (`tf.random.Generator` or the
            stateless `tf.random` ops, `tf.timestamp()`, `tf.io.read_file`) are not value-equivalent:
            they draw from different random streams and take different arguments and dtypes.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Use a TensorFlow op (`tf.random.Generator`, `tf.timestamp`, `tf.io`)",
    ),
    Rule(
        code="HYB104",
        name="variable-created-in-graph",
        message=(
            "'{call}' creates variables in graph code, which fails when the function is traced; "
            "create it once, outside the function{note}"
        ),
        summary="A `tf.Variable`, Keras layer, optimizer or metric created in graph code.",
        what_it_does=cleandoc(
            """
            Finds `tf.Variable(...)` and the construction of a Keras layer, optimizer or metric in
            graph code, unless it is guarded so that it runs only on the first call (for example
            `if self.v is None: self.v = tf.Variable(...)`). Keras layers that have no variables
            (`Flatten`, `Reshape`, `Activation`, pooling, padding and merge layers) are not
            reported: constructing them in graph code works (measured). Creating it under
            `with tf.init_scope():` without such a guard is reported too: measured on TF 2.21, it
            fails the same way.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            A `tf.function` may create variables only on its first trace, and it traces once more
            to check that no new ones appear. A variable created unconditionally in the body
            therefore fails on the first call already, with `ValueError: tf.function only supports
            singleton tf.Variables created on the first call. Make sure the tf.Variable is only
            created once or created outside tf.function.` Layers, optimizers and metrics create
            variables when they are built or first used, so constructing them in the body fails
            the same way.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def predict(x):
                layer = tf.keras.layers.Dense(1)  # new variables on every trace
                return layer(x)

            predict(tf.ones([2, 4]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            layer = tf.keras.layers.Dense(1)

            @tf.function
            def predict(x):
                return layer(x)

            predict(tf.ones([2, 4]))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Moving the construction out of the function is right only
            when its arguments do not depend on the call, and the object then lives across calls,
            which changes behaviour for anything that keeps state (an optimizer's slots, a
            metric's totals).
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Create it once, outside the function",
    ),
    Rule(
        code="HYB105",
        name="eager-only-call-in-graph",
        message=(
            "'{call}' works only on eager tensors and fails in graph code; "
            "use a TensorFlow op, or call it outside graph code{note}"
        ),
        summary="A call that works only in eager mode, made in graph code.",
        what_it_does=cleandoc(
            """
            Finds calls in graph code that need an eager tensor or manage their own graph:
            `.numpy()` on a tensor, NumPy functions applied to tensors, and the
            Keras endpoints `Model.fit`, `Model.predict`, `Model.evaluate` and the `*_on_batch`
            methods. `float(t)`, `int(t)` and `len(t)` are not reported when AutoGraph is on,
            because AutoGraph converts them to TensorFlow ops (measured on TF 2.21). `.item()` is
            not reported: TensorFlow tensors have no such method, eager or not.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            While a function is traced its tensors are symbolic and hold no value, so
            `.numpy()` fails with `AttributeError: 'SymbolicTensor' object has no attribute
            'numpy'`, and a NumPy call fails with `NotImplementedError: Cannot convert a symbolic
            tf.Tensor (x:0) to a numpy array. This error may indicate that you're trying to pass a
            Tensor to a NumPy call, which is not supported.` The Keras endpoints wrap their own
            `tf.function` and fail when called from inside one (with Keras 3, `Model.predict` in
            a `tf.function` fails with the same `AttributeError` about `numpy`).
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def normalize(x):
                peak = tf.reduce_max(x).numpy()
                return x / peak

            normalize(tf.constant([1.0, 2.0, 4.0]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def normalize(x):
                peak = tf.reduce_max(x)
                return x / peak

            normalize(tf.constant([1.0, 2.0, 4.0]))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. A TensorFlow op returns a tensor, not a NumPy value or a
            Python number, so the code that uses the result usually needs to change too; a Keras
            endpoint has to move out of graph code altogether.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Use a TensorFlow op, or call it outside graph code",
    ),
    Rule(
        code="HYB106",
        name="tensor-as-python-bool",
        message=(
            "'{expression}' uses a tensor as a Python bool, which raises OperatorNotAllowedInGraphError "
            "in graph code; use a TensorFlow op such as tf.debugging.Assert, tf.cond or tf.where{note}"
        ),
        summary="A tensor used as a Python `bool` where AutoGraph does not convert it.",
        what_it_does=cleandoc(
            """
            Finds places in graph code where Python needs the truth value of a tensor and
            AutoGraph does not convert the code: `assert <tensor>`, `bool(t)`, and a tensor in the
            condition of a comprehension. Without AutoGraph any `if`, `while`, `and`, `or` or
            `not` on a tensor fails too: in a function decorated with `autograph=False` HYB306
            reports those, and this rule reports them in the helpers such a function calls in the
            same module (AutoGraph converts none of them either).
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            A symbolic tensor has no value while the function is traced, so it cannot be a Python
            `bool`. AutoGraph turns `if` and `while` on tensors into `tf.cond` and
            `tf.while_loop`, but it leaves `assert` statements alone (its assert conversion is off
            under `tf.function`) and does not convert comprehensions. Tracing then fails with
            `OperatorNotAllowedInGraphError: Using a symbolic `tf.Tensor` as a Python `bool` is
            not allowed.`
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def safe_log(x):
                assert tf.reduce_all(x > 0), "x must be positive"
                return tf.math.log(x)

            safe_log(tf.constant([1.0, 2.0]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def safe_log(x):
                tf.debugging.Assert(tf.reduce_all(x > 0), ["x must be positive"])
                return tf.math.log(x)

            safe_log(tf.constant([1.0, 2.0]))
            """
        ),
        fix_safety=cleandoc(
            """
            The fix rewrites `assert c, m` as `tf.debugging.Assert(c, [m])` and is unsafe: a failed
            check raises `tf.errors.InvalidArgumentError` when the graph runs instead of
            `AssertionError`, and the check is no longer removed when Python runs with `-O`. Other
            uses of a tensor as a `bool` have no fix.
            """
        ),
        fix=Applicability.UNSAFE,
        fix_title="Replace `assert` with `tf.debugging.Assert`",
    ),
    Rule(
        code="HYB107",
        name="recursive-graph-function",
        message=(
            "'{function}' calls itself in graph code, which tf.function does not support; "
            "rewrite the recursion as a loop{note}"
        ),
        summary="Graph code that calls itself, directly or through a cycle.",
        what_it_does=cleandoc(
            """
            Finds graph code that calls itself, directly or through a cycle of calls between
            functions, with tensors as its only arguments. The finding is reported on the `def`
            line. Recursion that a Python argument bounds (a depth or a count passed as a Python
            number) is not reported: tracing unrolls it and it ends, with the eager result
            (measured on TF 2.21).
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            TensorFlow's guide: "Recursive `tf.function`s are not supported and could cause
            infinite loops." Tracing runs the Python code, so with a tensor argument the recursion
            never reaches its base case (AutoGraph traces both branches of the `if`) and tracing
            fails with `StagingError: ... RecursionError: maximum recursion depth exceeded`. With
            Python arguments it traces a new graph for every value on the
            way down.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def factorial(n):
                if n <= 1:
                    return tf.constant(1)
                return n * factorial(n - 1)

            factorial(tf.constant(5))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def factorial(n):
                result = tf.constant(1)
                for i in tf.range(2, n + 1):
                    result *= i
                return result

            factorial(tf.constant(5))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix: turning recursion into a loop is a rewrite of the
            algorithm.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Rewrite the recursion as a loop",
    ),
    Rule(
        code="HYB108",
        name="python-list-in-tensor-loop",
        message=(
            "'{name}' is a Python collection grown inside a tensor-dependent loop, which raises "
            "InaccessibleTensorError; use a tf.TensorArray instead{note}"
        ),
        summary="A Python list or dict grown inside a tensor-dependent loop in graph code.",
        what_it_does=cleandoc(
            """
            Finds a Python list or dict that grows (`append`, `extend`, `insert`, an item assigned
            under a changing key) inside a loop that AutoGraph converts to a TensorFlow loop: a `for`
            over a tensor or `tf.range`, or a `while` whose condition depends on a tensor.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            AutoGraph turns such a loop into a `tf.while_loop`, whose body is traced once, inside
            its own graph. The list receives a single tensor of that inner graph, and using it
            after the loop fails with `InaccessibleTensorError: ... is out of scope and cannot be
            used here. Use return values, explicit Python locals or TensorFlow collections to
            access it.`
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def squares(n):
                out = []
                for i in tf.range(n):
                    out.append(i * i)
                return tf.stack(out)

            squares(tf.constant(4))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def squares(n):
                out = tf.TensorArray(tf.int32, size=n)
                for i in tf.range(n):
                    out = out.write(i, i * i)
                return out.stack()

            squares(tf.constant(4))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. A `tf.TensorArray` is not a drop-in replacement: it has a
            fixed dtype, its elements must have compatible shapes, and it yields one stacked
            tensor instead of a list.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Use a `tf.TensorArray`",
    ),
    Rule(
        code="HYB109",
        name="tensorarray-write-discarded",
        message=(
            "the TensorArray returned by '{name}.{method}(...)' is discarded, so the write is lost; "
            "assign it back: '{name} = {name}.{method}(...)'{note}"
        ),
        summary="A `tf.TensorArray` write whose result is dropped.",
        what_it_does=cleandoc(
            """
            Finds a call of `write`, `scatter` or `unstack` on a `tf.TensorArray` used as a
            statement, so that the `TensorArray` it returns is dropped.
            """
        ),
        why_it_matters=cleandoc(
            """
            In graph code a `TensorArray` does not change in place: each write returns a new
            `TensorArray` that carries the written value, and the old one does not see it.
            AutoGraph's documentation warns that `tf.TensorArray` does not support side effects
            and must have its result assigned. With the result dropped, the write is silently
            lost: in TF 2.21 the example below returns `[0., 0., 0.]` without any error. Eagerly
            the same code happens to work, so the bug shows up only under `tf.function`.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def repeat(x, n):
                ta = tf.TensorArray(tf.float32, size=n)
                for i in tf.range(n):
                    ta.write(i, x)
                return ta.stack()

            repeat(tf.constant(1.0), tf.constant(3))  # [0., 0., 0.]
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def repeat(x, n):
                ta = tf.TensorArray(tf.float32, size=n)
                for i in tf.range(n):
                    ta = ta.write(i, x)
                return ta.stack()

            repeat(tf.constant(1.0), tf.constant(3))  # [1., 1., 1.]
            """
        ),
        fix_safety=cleandoc(
            """
            The fix assigns the result back (`ta.write(i, x)` becomes `ta = ta.write(i, x)`) and is
            safe: eagerly the returned `TensorArray` already holds the write, and in graph code
            it is the only one that does. It is offered only when the `TensorArray` is a local
            name; for an attribute or another expression, rebinding could change other code that
            holds the old object, and no fix is offered.
            """
        ),
        fix=Applicability.SAFE,
        fix_title="Assign the result back to the `TensorArray`",
    ),
    Rule(
        code="HYB110",
        name="tensor-iteration-in-graph",
        message=(
            "'{expression}' iterates over a tensor in Python, which raises "
            "OperatorNotAllowedInGraphError in graph code; use tf.unstack or indexing instead{note}"
        ),
        summary="A tensor unpacked or iterated in Python where AutoGraph does not convert it.",
        what_it_does=cleandoc(
            """
            Finds Python iteration over a tensor in graph code that AutoGraph does not convert:
            tuple-unpacking a tensor (`a, b = t`), `list(t)`, `zip(...)` or `enumerate(...)` over
            a tensor, and a comprehension over a tensor. A plain `for x in t:` statement is not
            reported, because AutoGraph converts it into a TensorFlow loop, except in a helper
            that a `tf.function(autograph=False)` of the same module calls.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            Iterating needs the length of the tensor as a Python number, which a symbolic tensor
            does not provide, and AutoGraph converts only a `for` statement directly over a
            tensor. Tracing fails with `OperatorNotAllowedInGraphError: Iterating over a symbolic
            `tf.Tensor` is not allowed.`, even where the static shape is known (for example
            `h, w, _ = tf.shape(image)`).
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def area(box):
                width, height = box
                return width * height

            area(tf.constant([2.0, 3.0]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def area(box):
                width, height = tf.unstack(box, num=2)
                return width * height

            area(tf.constant([2.0, 3.0]))
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. `tf.unstack(t, num=k)` works only when the first dimension
            is `k`; otherwise index the tensor or use `tf.map_fn` or a `for` statement over it,
            which needs a person to choose.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Use `tf.unstack` or indexing",
    ),
    Rule(
        code="HYB111",
        name="frozen-python-global",
        message=(
            "'{name}' is a Python value rebound at line {line}, but graph code keeps the value it "
            "had when traced; {advice}{note}"
        ),
        summary="Graph code reads a Python value that is rebound elsewhere.",
        what_it_does=cleandoc(
            """
            Finds reads, in graph code, of a module global, a closure variable or a `self`
            attribute that holds a Python value (a number, a string, a NumPy array or another
            non-TensorFlow object) and that is rebound elsewhere in the module or class.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            Globals and closure variables are not part of a trace's key, so the graph keeps the
            value they had when it was traced. TensorFlow's guide: "If their value changes in
            between calls, the `tf.function` will still use the values they had when it was
            traced." The function silently goes on computing with the old value. A `tf.Variable`
            is read on every call.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            scale = 1.0

            @tf.function
            def apply(x):
                return x * scale

            apply(tf.constant(2.0))  # 2.0
            scale = 10.0
            apply(tf.constant(2.0))  # still 2.0
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            scale = tf.Variable(1.0)

            @tf.function
            def apply(x):
                return x * scale

            apply(tf.constant(2.0))  # 2.0
            scale.assign(10.0)
            apply(tf.constant(2.0))  # 20.0
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Passing the value as an argument makes the function
            retrace for each new Python value (see HYB201), and a `tf.Variable` changes how the
            value is updated everywhere else in the program.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Pass it as an argument, or store it in a `tf.Variable`",
    ),
    # HYB2xx: retracing and graph performance.
    Rule(
        code="HYB201",
        name="python-scalar-argument-retraces",
        message=(
            "'{argument}' is a Python number that takes {values}{via}, so '{function}' traces a new "
            "graph for each value; pass tf.constant({argument}) instead"
        ),
        summary="A `tf.function` called in a loop with a Python number that changes per iteration.",
        what_it_does=cleandoc(
            """
            Finds a call of a `tf.function` inside a loop that passes a Python number whose value
            changes on every iteration: the loop variable, a counter, an epoch or step number.
            The finding is reported on the argument, and says how many values the argument
            takes when the loop bounds are known: constants (`range(100)`, `range(EPOCHS)`), or
            a parameter whose callers in the project all pass literals or module constants (or
            leave its default), `def train(epochs): for epoch in range(epochs)` called as
            `train(20)`. Values are followed through helper functions and across modules: a
            helper that passes its parameter on to a `tf.function` is reported when a loop
            elsewhere calls it with a loop variable. Not reported: booleans, constants, values
            passed once outside a loop, loops known to give fewer than 5 values (TensorFlow
            itself warns after 5 retraces; measured: a loop over `range(3)` traces 3 times), and
            loops in test files (tests are no hot path). A loop over `range` whose bound the
            analysis cannot know (an attribute, `len(...)`, a caller that passes a computed
            value, or no caller in the project) is in the preview tier: it assumes the loop runs
            5 or more times.
            """
        ),
        why_it_matters=cleandoc(
            """
            For a Python number, `tf.function` uses the value itself as part of the trace key, so
            every new value traces and stores a new graph: a loop over 100 epochs traces 100
            times. Tracing costs far more than a call, and the graphs stay in memory. After five
            traces within ten calls TensorFlow warns "triggered tf.function retracing. Tracing is
            expensive and the excessive number of tracings could be due to ... (3) passing Python
            objects instead of tensors". A tensor argument is keyed by its dtype and shape, so
            all iterations share one graph.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def train_step(x, epoch):
                return x * tf.cast(epoch, tf.float32)

            x = tf.ones([4])
            for epoch in range(100):
                train_step(x, epoch)  # one trace per epoch
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def train_step(x, epoch):
                return x * tf.cast(epoch, tf.float32)

            x = tf.ones([4])
            for epoch in range(100):
                train_step(x, tf.constant(epoch))  # one trace in all
            """
        ),
        fix_safety=cleandoc(
            """
            The fix wraps the argument in `tf.constant(...)` and is unsafe. The dtype changes:
            `tf.constant(1)` is `int32` and `tf.constant(0.1)` is `float32`, while a Python number
            adapts to the other operand. Inside the function the value becomes a tensor, so Python
            control flow on it (`if epoch == 0:`, `range(epoch)`) turns into TensorFlow control
            flow; using it as an index into a Python list or in a NumPy call raises `TypeError`;
            and `isinstance(epoch, int)` becomes False (measured).
            """
        ),
        fix=Applicability.UNSAFE,
        fix_title="Wrap the argument in `tf.constant`",
    ),
    Rule(
        code="HYB202",
        name="tf-function-created-in-loop",
        message=(
            "{function} is wrapped in a new tf.function {when}, and each one traces its own "
            "graph; create the tf.function once, outside {scope}"
        ),
        summary="A `tf.function` created inside a loop or inside a function called repeatedly.",
        what_it_does=cleandoc(
            """
            Finds `tf.function(...)` calls and nested `@tf.function` definitions that wrap the
            same computation again and again: inside a loop or a comprehension, when what is
            wrapped does not change from one iteration to the next, or inside a function that
            makes the `tf.function`, calls it and drops it, when a loop outside tests calls that
            function through code that runs eagerly. Not reported: a factory that wraps a
            different callable or closure each time (a signature per export key, one function
            per module, op type or argument), a builder that keeps what it made (returns it,
            stores it, or guards it with `if self._fn is None:`), `__init__` and `build`,
            functions cached with `functools.lru_cache`/`cache`, a function that calls what it
            made in a loop of its own (it traces once per call and reuses the trace), code
            that itself runs as a graph (it makes the `tf.function` once per trace), and test
            files. When the function has no caller in the project, or its `tf.function` closes
            over an argument that need not be the same on every call, the finding is in the
            preview tier and says what it assumes.
            """
        ),
        why_it_matters=cleandoc(
            """
            Traces belong to a `tf.function` object. TensorFlow's guide: "Separate `tf.function`
            objects are guaranteed not to share traces." A new object therefore traces again on
            its first call, every time, and the program pays the tracing cost on every pass
            through the loop. TensorFlow's retracing warning names this as its first cause:
            "(1) creating @tf.function repeatedly in a loop".
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])

            def evaluate(x):
                @tf.function
                def forward(x):
                    return model(x)
                return forward(x)

            for _ in range(10):
                evaluate(tf.ones([2, 4]))  # traces on every call
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])

            @tf.function
            def forward(x):
                return model(x)

            for _ in range(10):
                forward(tf.ones([2, 4]))  # traces once
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Moving the definition out of the loop keeps behaviour only
            when the inner function closes over nothing that changes per iteration; values that
            do change must become arguments first.
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Create the `tf.function` once, outside the loop",
    ),
    Rule(
        code="HYB203",
        name="varying-shapes-without-relaxation",
        message=(
            "'{function}' receives tensors whose shapes vary between calls{note} and traces a new "
            "graph for each shape; add reduce_retracing=True or an input_signature{blocker}"
        ),
        summary="A `tf.function` fed tensors of many shapes without `reduce_retracing` or a signature.",
        what_it_does=cleandoc(
            """
            Finds a `tf.function` that has neither `input_signature` nor `reduce_retracing` and
            is fed, in a loop, tensors whose shapes take many values: batches from
            `padded_batch` without fixed `padded_shapes` or from `bucket_by_sequence_length`,
            slices with one bound that follows the loop variable (`x[:i]`), tensors made with a
            shape that follows it (`tf.ones([n, 2])`), ragged tensors whose number of rows
            follows it, and unbatched dataset elements of many lengths: `Dataset.range(...)
            .map(tf.range)` (measured: 19 traces for 19 lengths, 2 with `reduce_retracing`) and
            the rows of `from_tensor_slices(tf.ragged.constant(...))` whose literal rows differ
            in length. Elements of `Dataset.from_generator` whose declared shape has dimensions
            of `None`, or that declares no shapes (`output_types` only), are in the preview tier:
            they retrace once per shape the generator really yields (measured: 10 traces for 10
            lengths, 1 when every element has the same length), which the analysis cannot see.
            Not findings: the last, smaller batch from `batch()` without `drop_remainder` (one
            extra trace, two in all); `ragged_batch`, whose ragged dimension is not part of the
            trace key (measured: two traces, like `batch`); sliding windows `x[i:i + 4]`, whose
            length does not change; a generator whose signature declares every dimension; and
            loops in test files (tests are no hot path). Batches are followed through helper
            functions that pass them on and from functions that return such a dataset, across
            modules; unbatched elements are found where the module that iterates the dataset
            also makes it. The finding is reported on the `def` line.
            """
        ),
        why_it_matters=cleandoc(
            """
            `tf.function` keys a trace on the dtype and shape of each tensor argument, so every
            new shape traces a new graph. `padded_batch(4)` over sequences of lengths 1 to 19
            gives five shapes and five traces; with `reduce_retracing=True` TensorFlow relaxes the
            varying dimensions to `None` after the second shape and traces three times. The
            retracing warning names this cause: "(2) passing tensors with different shapes ...
            For (2), @tf.function has reduce_retracing=True option that can avoid unnecessary
            retracing."
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def total(tokens):
                return tf.reduce_sum(tokens)

            data = tf.data.Dataset.range(1, 20).map(tf.range).padded_batch(4)
            for tokens in data:
                total(tokens)  # one trace per padded length
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function(reduce_retracing=True)
            def total(tokens):
                return tf.reduce_sum(tokens)

            data = tf.data.Dataset.range(1, 20).map(tf.range).padded_batch(4)
            for tokens in data:
                total(tokens)  # three traces
            """
        ),
        fix_safety=cleandoc(
            """
            The fix adds `reduce_retracing=True` to the `tf.function` call. It is safe when the
            target TensorFlow version is 2.9 or later and the function does not use a dimension
            that varies as a Python number: a relaxed trace sees `None` there, so code such as
            `range(x.shape[0])` fails in it (measured on TF 2.21). The computed values do not
            change; only the number of traces does. For an older or unknown target the fix is
            only displayed, since `reduce_retracing` does not exist before 2.9.
            """
        ),
        fix=Applicability.SAFE,
        fix_min_tf="2.9",
        fix_title="Add `reduce_retracing=True`",
    ),
    Rule(
        code="HYB204",
        name="python-loop-unrolled-in-graph",
        message=(
            "the Python loop over '{iterable}' is unrolled while tracing, so the graph holds one copy "
            "of its body per iteration; {advice}"
        ),
        summary="A Python loop in graph code that unrolls into a large graph.",
        what_it_does=cleandoc(
            """
            Finds a `for` loop in graph code whose body builds tensor ops and that iterates over
            `range(N)` where `N` is a constant of 64 or more or a static dimension
            (`x.shape[0]`, as large as the data), or over a NumPy array (`np.arange`,
            `np.linspace` with constant arguments: 64 values or more) or a list of 64 or more
            numbers. AutoGraph runs such a loop in Python while tracing instead of converting
            it. Not findings: a bound that is a tensor (AutoGraph turns `range(n)` into a graph
            loop then; measured: 20 ops for 500 iterations), shorter loops and configuration
            values such as `range(self.num_layers)` (a few deliberate copies), and loops over
            lists of layers (Python structure, not data). A bound that is a parameter receiving
            Python numbers is in the preview tier: what the callers pass is not known, and may
            be a small configuration value. The threshold of 64 is measured
            (`benchmarks/unrolled_loops.py`, TF 2.21, CPU): from there the unrolled graph of
            the example below costs 0.1 s or more on its first call over a `tf.range` loop.
            """
        )
        + "\n\n"
        + _GRAPH_CODE,
        why_it_matters=cleandoc(
            """
            TensorFlow's guide: "A common pitfall is to loop over Python/NumPy data within a
            `tf.function`. This loop will execute during the tracing process, adding a copy of
            your model to the `tf.Graph` for each iteration." The graph, its tracing time and its
            memory grow with the number of iterations: the example below builds a graph of
            6,002 ops, its `tf.range` version 18; at 512 iterations its first call (trace and
            graph optimisation) took 1 to 3 s against 0.1 s. Every new trace pays that again.
            The other side, measured too: a graph loop runs its body in a `while` loop that
            costs time on every iteration, so per call it was 1.4 to 2.8 times slower than the
            unrolled copies (32 to 512 iterations), and an unrolled graph that is called more
            than about 30 to 150 times per trace has paid back its trace. Use `tf.range` where
            tracing time or graph size matters: long loops, functions traced often.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def smooth(x):
                for _ in range(1000):
                    x = 0.5 * (x + tf.roll(x, 1, axis=0))
                return x

            smooth(tf.ones([16]))
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            @tf.function
            def smooth(x):
                for _ in tf.range(1000):
                    x = 0.5 * (x + tf.roll(x, 1, axis=0))
                return x

            smooth(tf.ones([16]))
            """
        ),
        fix_safety=cleandoc(
            """
            The fix replaces `range(...)` with `tf.range(...)` and is unsafe. It makes every
            call slower (see above) in exchange for one short trace. The loop variable becomes
            a tensor, so Python code on it (`if i == 0:`) turns into TensorFlow control flow;
            values carried across iterations must keep their dtype and shape; names first bound
            in the loop must be defined before it; and a `print` in the body runs once instead
            of once per iteration. It is not offered when the body fills a Python list that the
            function reads after the loop or returns (measured: `InaccessibleTensorError`; the
            message suggests a `tf.TensorArray`), nor when the loop variable indexes a Python
            list (measured: `TypeError`). Loops over Python lists and NumPy arrays have no fix.
            """
        ),
        fix=Applicability.UNSAFE,
        fix_title="Replace `range` with `tf.range`",
    ),
    Rule(
        code="HYB205",
        name="new-python-object-argument",
        message=(
            "'{argument}' is {what}, created anew for every call of '{function}', so every call "
            "traces a new graph; create it once and reuse it, or pass tensors"
        ),
        summary="A `tf.function` called with a freshly created Python object on every call.",
        what_it_does=cleandoc(
            """
            Finds a call of a `tf.function` that passes an object created anew for that call: an
            instance of a Python class of the project (not a Keras layer or model), a lambda, a
            `functools.partial`, or a bound method (`obj.method` creates a new bound-method
            object each time it is read; a property is read for its value, and is not one). The
            call must run again and again: in a loop of its own function, or in a function that
            a loop outside tests calls through code that runs eagerly (code that runs as a graph
            makes the call once per trace, not once per call). Not reported in test files. The
            finding is reported on the argument.
            """
        ),
        why_it_matters=cleandoc(
            """
            `tf.function` keys a trace on the identity of an argument that is neither a tensor nor
            a Python primitive, even when its class defines `__eq__`. A new object is a new key,
            so every call traces a new graph and keeps it in memory: passing `Config()` ten times
            traces ten times. TensorFlow warns
            about "(3) passing Python objects instead of tensors" once this happens five times
            within ten calls.
            """
        ),
        example=cleandoc(
            """
            import tensorflow as tf

            class Config:
                rate = 0.5

            @tf.function
            def scale(x, config):
                return x * config.rate

            for _ in range(10):
                scale(tf.ones([4]), Config())  # one trace per call
            """
        ),
        use_instead=cleandoc(
            """
            import tensorflow as tf

            class Config:
                rate = 0.5

            @tf.function
            def scale(x, config):
                return x * config.rate

            config = Config()
            for _ in range(10):
                scale(tf.ones([4]), config)  # one trace in all
            """
        ),
        fix_safety=cleandoc(
            """
            There is no automatic fix. Reusing one object is right only when the calls do not
            depend on getting a fresh one; other remedies are passing the object's tensor values
            as arguments, or making it a `tf.experimental.ExtensionType` whose fields are
            tensors (measured: five new objects, one trace).
            """
        ),
        fix=Applicability.DISPLAY_ONLY,
        fix_title="Create the object once and reuse it",
    ),
)

"""Feature normalisation that builds its tf.function inside the function called per batch.

``normalize`` defines a nested @tf.function on every call, so every batch
creates a new graph function and traces it again (HYB202). The nested
function does little work, so the graph never pays for its tracing.
"""

import tensorflow as tf

FEATURES = 32


def normalize(batch, mean, scale):
    @tf.function
    def standardize(x):
        centred = x - mean
        return tf.clip_by_value(centred / scale, -3.0, 3.0)

    return standardize(batch)


#: How many passes over the data main() runs when not told (``steps``).
DEFAULT_STEPS = 3


def main(steps=None):
    passes = steps or DEFAULT_STEPS
    generator = tf.random.Generator.from_seed(11)
    data = 2.0 + 3.0 * generator.normal([2048, FEATURES])
    mean = tf.reduce_mean(data, axis=0)
    scale = tf.math.reduce_std(data, axis=0)
    total = tf.zeros([FEATURES])
    for _ in range(passes):
        for batch in tf.data.Dataset.from_tensor_slices(data).batch(32):
            total += tf.reduce_sum(normalize(batch, mean, scale), axis=0)
    return {"sum": float(tf.reduce_sum(total)), "first": float(total[0])}


if __name__ == "__main__":
    print(main())

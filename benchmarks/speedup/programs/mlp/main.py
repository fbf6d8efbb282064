"""A multilayer perceptron classifier trained with a custom GradientTape loop.

Synthetic tabular data: 64 features, 10 classes from a fixed random linear
rule plus noise. Plain eager TF2, written the way the "training loop from
scratch" guide writes it before it adds @tf.function.
"""

import tensorflow as tf

FEATURES = 64
CLASSES = 10

loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def make_data(rule, size, seed):
    generator = tf.random.Generator.from_seed(seed)
    features = generator.normal([size, FEATURES])
    noise = 0.5 * generator.normal([size, CLASSES])
    labels = tf.argmax(tf.matmul(features, rule) + noise, axis=1)
    return features, labels


def build_model():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(FEATURES,)),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(CLASSES),
    ])


def train_step(model, optimizer, features, labels):
    with tf.GradientTape() as tape:
        logits = model(features, training=True)
        loss = loss_fn(labels, logits)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


def evaluate(model, dataset):
    correct = 0
    total = 0
    for features, labels in dataset:
        predictions = tf.argmax(model(features, training=False), axis=1)
        correct += int(tf.reduce_sum(tf.cast(predictions == labels, tf.int32)))
        total += int(labels.shape[0])
    return correct / total


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 6


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    rule = tf.random.stateless_normal([FEATURES, CLASSES], seed=[7, 7])
    train_data = tf.data.Dataset.from_tensor_slices(make_data(rule, 1536, seed=1))
    train_data = train_data.shuffle(1536, seed=1).batch(32, drop_remainder=True)
    test_data = tf.data.Dataset.from_tensor_slices(make_data(rule, 1024, seed=2)).batch(256)
    model = build_model()
    optimizer = tf.keras.optimizers.Adam(1e-3)
    mean_loss = tf.keras.metrics.Mean()
    for epoch in range(epochs):
        mean_loss.reset_state()
        for features, labels in train_data:
            loss = train_step(model, optimizer, features, labels)
            mean_loss.update_state(loss)
    return {"loss": float(mean_loss.result()), "accuracy": evaluate(model, test_data)}


if __name__ == "__main__":
    print(main())

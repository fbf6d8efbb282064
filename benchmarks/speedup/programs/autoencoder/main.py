"""A dense autoencoder (subclassed Keras model) trained to reconstruct low-rank data.

Synthetic data: 256-dimensional vectors that lie near a random 12-dimensional
subspace. The encoder squeezes them to 16 numbers, the decoder restores them.
"""

import tensorflow as tf

DIM = 256
LATENT = 16


def make_data(size, seed):
    generator = tf.random.Generator.from_seed(seed)
    basis = tf.random.stateless_normal([12, DIM], seed=[9, 9])
    codes = generator.normal([size, 12])
    return tf.sigmoid(tf.matmul(codes, basis) / 3.0) + 0.02 * generator.normal([size, DIM])


class Autoencoder(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = tf.keras.Sequential([
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(LATENT),
        ])
        self.decoder = tf.keras.Sequential([
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(DIM, activation="sigmoid"),
        ])

    def call(self, inputs):
        return self.decoder(self.encoder(inputs))


def reconstruction_loss(inputs, reconstructed):
    return tf.reduce_mean(tf.reduce_sum(tf.square(inputs - reconstructed), axis=1))


def train_step(autoencoder, optimizer, batch):
    with tf.GradientTape() as tape:
        reconstructed = autoencoder(batch)
        loss = reconstruction_loss(batch, reconstructed)
    gradients = tape.gradient(loss, autoencoder.trainable_variables)
    optimizer.apply_gradients(zip(gradients, autoencoder.trainable_variables))
    return loss


#: How many epochs main() runs when not told (``steps``).
DEFAULT_STEPS = 3


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    epochs = steps or DEFAULT_STEPS
    data = make_data(1536, seed=1)
    dataset = tf.data.Dataset.from_tensor_slices(data).shuffle(1536, seed=2).batch(32)
    autoencoder = Autoencoder()
    optimizer = tf.keras.optimizers.Adam(2e-3)
    for epoch in range(epochs):
        total = 0.0
        batches = 0
        for batch in dataset:
            total += float(train_step(autoencoder, optimizer, batch))
            batches += 1
    held_out = make_data(512, seed=3)
    test_loss = reconstruction_loss(held_out, autoencoder(held_out))
    return {"train_loss": total / batches, "test_loss": float(test_loss)}


if __name__ == "__main__":
    print(main())

"""Generator and discriminator networks, and their losses."""

import tensorflow as tf

LATENT = 16
DATA_DIM = 2

cross_entropy = tf.keras.losses.BinaryCrossentropy(from_logits=True)


def make_generator():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(LATENT,)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(DATA_DIM),
    ])


def make_discriminator():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(DATA_DIM,)),
        tf.keras.layers.Dense(64),
        tf.keras.layers.LeakyReLU(0.2),
        tf.keras.layers.Dense(64),
        tf.keras.layers.LeakyReLU(0.2),
        tf.keras.layers.Dense(1),
    ])


def discriminator_loss(real_output, fake_output):
    real_loss = cross_entropy(tf.ones_like(real_output), real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    return real_loss + fake_loss


def generator_loss(fake_output):
    return cross_entropy(tf.ones_like(fake_output), fake_output)

"""A GAN learning a ring of 8 Gaussians, with the DCGAN tutorial's two-tape train step.

The noise comes from a seeded tf.random.Generator outside the step, so runs
are reproducible.
"""

import math

import tensorflow as tf

from models import LATENT, discriminator_loss, generator_loss, make_discriminator, make_generator

BATCH = 64


def sample_ring(generator, size):
    mode = generator.uniform([size], 0, 8, dtype=tf.int32)
    angle = tf.cast(mode, tf.float32) * (2.0 * math.pi / 8.0)
    centers = tf.stack([tf.cos(angle), tf.sin(angle)], axis=1) * 2.0
    return centers + 0.05 * generator.normal([size, 2])


def train_step(generator, discriminator, generator_optimizer, discriminator_optimizer, real, noise):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = generator(noise, training=True)
        real_output = discriminator(real, training=True)
        fake_output = discriminator(fake, training=True)
        gen_loss = generator_loss(fake_output)
        disc_loss = discriminator_loss(real_output, fake_output)
    gen_gradients = gen_tape.gradient(gen_loss, generator.trainable_variables)
    disc_gradients = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
    generator_optimizer.apply_gradients(zip(gen_gradients, generator.trainable_variables))
    discriminator_optimizer.apply_gradients(zip(disc_gradients, discriminator.trainable_variables))
    return gen_loss, disc_loss


#: How many training iterations main() runs when not told (``steps``).
DEFAULT_STEPS = 120


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    iterations = steps or DEFAULT_STEPS
    rng = tf.random.Generator.from_seed(1)
    generator = make_generator()
    discriminator = make_discriminator()
    generator_optimizer = tf.keras.optimizers.Adam(1e-3, beta_1=0.5)
    discriminator_optimizer = tf.keras.optimizers.Adam(1e-3, beta_1=0.5)
    for iteration in range(iterations):
        real = sample_ring(rng, BATCH)
        noise = rng.normal([BATCH, LATENT])
        gen_loss, disc_loss = train_step(
            generator, discriminator, generator_optimizer, discriminator_optimizer, real, noise)
    samples = generator(rng.normal([512, LATENT]))
    radius = tf.reduce_mean(tf.norm(samples, axis=1))
    return {"generator_loss": float(gen_loss), "discriminator_loss": float(disc_loss),
            "sample_radius": float(radius)}


if __name__ == "__main__":
    print(main())

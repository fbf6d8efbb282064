"""REINFORCE on a batch of CartPole environments simulated with TensorFlow ops.

The environment is the classic cart-pole physics (Barto, Sutton & Anderson),
vectorised over 32 environments; episodes last at most 50 steps. Actions are
sampled with stateless random ops seeded from a tf.random.Generator, so runs
are reproducible. The returns are computed like the TF actor-critic tutorial
does (a TensorArray filled backwards).
"""

import tensorflow as tf

NUM_ENVS = 32
HORIZON = 50
GAMMA = 0.99

GRAVITY = 9.8
CART_MASS = 1.0
POLE_MASS = 0.1
TOTAL_MASS = CART_MASS + POLE_MASS
POLE_HALF_LENGTH = 0.5
FORCE = 10.0
DT = 0.02


class CartPoles:
    def __init__(self, num_envs, seed):
        self.num_envs = num_envs
        self.rng = tf.random.Generator.from_seed(seed)

    def reset(self):
        return self.rng.uniform([self.num_envs, 4], -0.05, 0.05)

    def step(self, state, action):
        x, x_dot, theta, theta_dot = tf.unstack(state, axis=1)
        force = tf.where(action == 1, FORCE, -FORCE)
        cos_theta = tf.cos(theta)
        sin_theta = tf.sin(theta)
        temp = (force + POLE_MASS * POLE_HALF_LENGTH * theta_dot ** 2 * sin_theta) / TOTAL_MASS
        theta_acc = (GRAVITY * sin_theta - cos_theta * temp) / (
            POLE_HALF_LENGTH * (4.0 / 3.0 - POLE_MASS * cos_theta ** 2 / TOTAL_MASS))
        x_acc = temp - POLE_MASS * POLE_HALF_LENGTH * theta_acc * cos_theta / TOTAL_MASS
        x = x + DT * x_dot
        x_dot = x_dot + DT * x_acc
        theta = theta + DT * theta_dot
        theta_dot = theta_dot + DT * theta_acc
        done = (tf.abs(x) > 2.4) | (tf.abs(theta) > 0.21)
        return tf.stack([x, x_dot, theta, theta_dot], axis=1), tf.cast(done, tf.float32)


def build_policy():
    return tf.keras.Sequential([
        tf.keras.Input(shape=(4,)),
        tf.keras.layers.Dense(64, activation="tanh"),
        tf.keras.layers.Dense(64, activation="tanh"),
        tf.keras.layers.Dense(2),
    ])


def sample_actions(policy, states, seed):
    logits = policy(states)
    return tf.squeeze(tf.random.stateless_categorical(logits, 1, seed=seed, dtype=tf.int32), axis=1)


def run_episodes(policy, env, seeds):
    state = env.reset()
    alive = tf.ones([NUM_ENVS])
    states, actions, masks = [], [], []
    for t in range(HORIZON):
        action = sample_actions(policy, state, seeds[t])
        states.append(state)
        actions.append(action)
        masks.append(alive)
        state, done = env.step(state, action)
        alive = alive * (1.0 - done)
    return tf.stack(states), tf.stack(actions), tf.stack(masks)


def expected_returns(rewards):
    returns = tf.TensorArray(tf.float32, size=HORIZON)
    discounted = tf.zeros([NUM_ENVS])
    for t in tf.range(HORIZON - 1, -1, -1):
        discounted = rewards[t] + GAMMA * discounted
        returns = returns.write(t, discounted)
    returns = returns.stack()
    return (returns - tf.reduce_mean(returns)) / (tf.math.reduce_std(returns) + 1e-8)


def update_policy(policy, optimizer, states, actions, returns, masks):
    with tf.GradientTape() as tape:
        logits = policy(tf.reshape(states, [-1, 4]))
        log_probs = -tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(actions, [-1]), logits=logits)
        weighted = log_probs * tf.reshape(returns * masks, [-1])
        loss = -tf.reduce_sum(weighted) / tf.reduce_sum(masks)
    gradients = tape.gradient(loss, policy.trainable_variables)
    optimizer.apply_gradients(zip(gradients, policy.trainable_variables))
    return loss


#: How many training iterations main() runs when not told (``steps``).
DEFAULT_STEPS = 60


def main(steps=None):
    tf.keras.utils.set_random_seed(0)
    iterations = steps or DEFAULT_STEPS
    env = CartPoles(NUM_ENVS, seed=1)
    rng = tf.random.Generator.from_seed(2)
    policy = build_policy()
    optimizer = tf.keras.optimizers.Adam(1e-2)
    episode_lengths = []
    for iteration in range(iterations):
        seeds = rng.make_seeds(HORIZON)
        states, actions, masks = run_episodes(policy, env, tf.transpose(seeds))
        returns = expected_returns(masks)
        update_policy(policy, optimizer, states, actions, returns, masks)
        episode_lengths.append(float(tf.reduce_mean(tf.reduce_sum(masks, axis=0))))
    # The surrogate loss is no measure of the policy (a sum of terms of both signs that cancel):
    # report episode lengths and the policy's entropy on fixed probe states instead.
    probe_states = tf.random.stateless_uniform([256, 4], seed=[8, 8], minval=-0.2, maxval=0.2)
    probabilities = tf.nn.softmax(policy(probe_states))
    entropy = -tf.reduce_mean(tf.reduce_sum(probabilities * tf.math.log(probabilities), axis=1))
    return {"first_length": episode_lengths[0], "last_length": episode_lengths[-1],
            "mean_length": sum(episode_lengths) / len(episode_lengths), "policy_entropy": float(entropy)}


if __name__ == "__main__":
    print(main())

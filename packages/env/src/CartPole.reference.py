"""Reference CartPole-v1 trajectories for CartPole.test.ts.

Implements the step equations published in Gymnasium's cartpole.py (gymnasium/envs/classic_control/
cartpole.py, v1.x, Euler kinematics), with numpy float64 state and float32 observations, from fixed
initial states and a fixed action pattern. Run: /usr/bin/python3 src/CartPole.reference.py > src/CartPole.reference.json
"""
import json
import math

import numpy as np

gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
total_mass = masspole + masscart
polemass_length = masspole * length
theta_threshold_radians = 12 * 2 * math.pi / 360
x_threshold = 2.4


def step(state, action):
    x, x_dot, theta, theta_dot = state
    force = force_mag if action == 1 else -force_mag
    costheta = np.cos(theta)
    sintheta = np.sin(theta)
    temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
    thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - masspole * np.square(costheta) / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    x = x + tau * x_dot
    x_dot = x_dot + tau * xacc
    theta = theta + tau * theta_dot
    theta_dot = theta_dot + tau * thetaacc
    state = np.array((x, x_dot, theta, theta_dot), dtype=np.float64)
    terminated = bool(x < -x_threshold or x > x_threshold or theta < -theta_threshold_radians or theta > theta_threshold_radians)
    return state, terminated


cases = []
for initial, pattern in [
    ([0.01, -0.02, 0.03, 0.04], [1, 1, 0, 1, 0, 0]),
    ([-0.049, 0.031, -0.012, 0.0], [0, 1]),
    ([0.0, 0.0, 0.0, 0.0], [1]),
]:
    state = np.array(initial, dtype=np.float64)
    actions, states, observations, terminated = [], [], [], []
    for t in range(200):
        action = pattern[t % len(pattern)]
        state, done = step(state, action)
        actions.append(action)
        states.append(state.tolist())
        observations.append(np.array(state, dtype=np.float32).astype(np.float64).tolist())
        terminated.append(done)
        if done:
            break
    cases.append({"initial": initial, "actions": actions, "states": states, "observations": observations, "terminated": terminated})

print(json.dumps({"source": "Gymnasium CartPole-v1 equations (cartpole.py), numpy " + np.__version__, "cases": cases}))

"""PyTorch reference for `pnpm --filter @candlelab/ppo bench`: the same PPO as candlelab's on
CartPole-v1 with the RL Baselines3 Zoo's hyper-parameters (hyperparams/ppo.yml, CartPole-v1):
8 envs x 32 steps, batch 256 (one minibatch), 20 epochs, lr 1e-3 and clip 0.2 annealed linearly
to 0, gamma 0.98, GAE lambda 0.8, no entropy bonus, value coefficient 0.5, unclipped value loss,
max grad norm 0.5, advantages normalised per minibatch, separate 64-64 tanh actor and critic with
orthogonal initialisation (gains sqrt 2, 0.01, 1), Adam eps 1e-5 — written as cleanrl's ppo.py and
Stable-Baselines3 write it (torch.distributions, autograd, clip_grad_norm_, torch.optim.Adam), on
one thread. CartPole-v1 is gymnasium's (Euler integration, 500-step limit), vectorised in numpy
with same-step autoreset; a truncated episode's last reward gets gamma * V(final observation).

Run: /usr/bin/python3 packages/ppo/bench/ppo_torch.py [--steps 20480] [--seed 0]
Prints one JSON line: steps, seconds, steps_per_second, rollout_seconds, update_seconds,
mean_return (of the episodes finished in the last 10 updates).
"""

import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)


class CartPoleVec:
    """gymnasium's CartPole-v1 for n envs at once, with same-step autoreset."""

    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    total_mass = masscart + masspole
    polemass_length = masspole * length
    theta_threshold = 12 * 2 * math.pi / 360
    x_threshold = 2.4
    max_steps = 500

    def __init__(self, n, seed):
        self.n = n
        self.rng = np.random.default_rng(seed)
        self.state = self.rng.uniform(-0.05, 0.05, (n, 4))
        self.steps = np.zeros(n, dtype=np.int64)

    def step(self, actions):
        x, x_dot, theta, theta_dot = self.state.T
        force = np.where(actions == 1, self.force_mag, -self.force_mag)
        cos, sin = np.cos(theta), np.sin(theta)
        temp = (force + self.polemass_length * theta_dot**2 * sin) / self.total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * cos**2 / self.total_mass)
        )
        x_acc = temp - self.polemass_length * theta_acc * cos / self.total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * x_acc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * theta_acc
        self.state = np.stack([x, x_dot, theta, theta_dot], axis=1)
        self.steps += 1
        terminated = (np.abs(x) > self.x_threshold) | (np.abs(theta) > self.theta_threshold)
        truncated = (self.steps >= self.max_steps) & ~terminated
        done = terminated | truncated
        final = self.state.copy()
        if done.any():
            self.state[done] = self.rng.uniform(-0.05, 0.05, (int(done.sum()), 4))
            self.steps[done] = 0
        return self.state.astype(np.float32), np.ones(self.n), terminated, truncated, final.astype(np.float32)


def layer(inputs, outputs, gain):
    linear = nn.Linear(inputs, outputs)
    nn.init.orthogonal_(linear.weight, gain)
    nn.init.zeros_(linear.bias)
    return linear


def mlp(obs_size, out_size, head_gain):
    return nn.Sequential(
        layer(obs_size, 64, math.sqrt(2)), nn.Tanh(), layer(64, 64, math.sqrt(2)), nn.Tanh(), layer(64, out_size, head_gain)
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20480)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    num_envs, num_steps, epochs, gamma, gae_lambda = 8, 32, 20, 0.98, 0.8
    lr0, clip0, vf_coef, max_grad_norm = 1e-3, 0.2, 0.5, 0.5
    batch = num_envs * num_steps
    updates = max(1, args.steps // batch)
    actor, critic = mlp(4, 2, 0.01), mlp(4, 1, 1.0)
    params = list(actor.parameters()) + list(critic.parameters())
    optimizer = torch.optim.Adam(params, lr=lr0, eps=1e-5)
    env = CartPoleVec(num_envs, args.seed)
    obs = torch.from_numpy(env.state.astype(np.float32))
    b_obs = torch.zeros(num_steps, num_envs, 4)
    b_actions = torch.zeros(num_steps, num_envs, dtype=torch.long)
    b_logp = torch.zeros(num_steps, num_envs)
    b_rewards = torch.zeros(num_steps, num_envs)
    b_dones = torch.zeros(num_steps, num_envs)
    b_values = torch.zeros(num_steps, num_envs)
    episode_returns = np.zeros(num_envs)
    finished = []
    rollout_seconds = update_seconds = 0.0
    start = time.perf_counter()
    for update in range(updates):
        remaining = 1.0 - update / updates
        for group in optimizer.param_groups:
            group["lr"] = lr0 * remaining
        clip = clip0 * remaining
        t0 = time.perf_counter()
        with torch.no_grad():
            for t in range(num_steps):
                b_obs[t] = obs
                dist = torch.distributions.Categorical(logits=actor(obs))
                action = dist.sample()
                b_actions[t] = action
                b_logp[t] = dist.log_prob(action)
                b_values[t] = critic(obs).squeeze(1)
                next_obs, reward, terminated, truncated, final = env.step(action.numpy())
                reward = torch.from_numpy(reward).float()
                if truncated.any():
                    bootstrap = critic(torch.from_numpy(final[truncated])).squeeze(1)
                    reward[torch.from_numpy(truncated)] += gamma * bootstrap
                b_rewards[t] = reward
                done = terminated | truncated
                b_dones[t] = torch.from_numpy(done.astype(np.float32))
                episode_returns += 1
                for e in np.nonzero(done)[0]:
                    finished.append((update, episode_returns[e]))
                    episode_returns[e] = 0
                obs = torch.from_numpy(next_obs)
            last_value = critic(obs).squeeze(1)
            advantages = torch.zeros(num_steps, num_envs)
            gae = torch.zeros(num_envs)
            for t in reversed(range(num_steps)):
                next_value = last_value if t == num_steps - 1 else b_values[t + 1]
                non_terminal = 1.0 - b_dones[t]
                delta = b_rewards[t] + gamma * next_value * non_terminal - b_values[t]
                gae = delta + gamma * gae_lambda * non_terminal * gae
                advantages[t] = gae
            returns = advantages + b_values
        t1 = time.perf_counter()
        f_obs, f_actions, f_logp = b_obs.reshape(-1, 4), b_actions.reshape(-1), b_logp.reshape(-1)
        f_adv, f_ret = advantages.reshape(-1), returns.reshape(-1)
        for _ in range(epochs):
            index = torch.randperm(batch)
            mb_adv = f_adv[index]
            mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
            dist = torch.distributions.Categorical(logits=actor(f_obs[index]))
            new_logp = dist.log_prob(f_actions[index])
            ratio = torch.exp(new_logp - f_logp[index])
            policy_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(ratio, 1 - clip, 1 + clip)).mean()
            value_loss = 0.5 * ((critic(f_obs[index]).squeeze(1) - f_ret[index]) ** 2).mean()
            loss = policy_loss + vf_coef * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, max_grad_norm)
            optimizer.step()
        t2 = time.perf_counter()
        rollout_seconds += t1 - t0
        update_seconds += t2 - t1
    seconds = time.perf_counter() - start
    recent = [r for u, r in finished if u >= updates - 10]
    print(
        json.dumps(
            {
                "steps": updates * batch,
                "seconds": seconds,
                "steps_per_second": updates * batch / seconds,
                "rollout_seconds": rollout_seconds,
                "update_seconds": update_seconds,
                "mean_return": sum(recent) / len(recent) if recent else None,
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
